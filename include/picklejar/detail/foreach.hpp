// Preprocessor machinery behind PICKLEJAR_FIELDS and friends: apply a macro to each of up to 64
// arguments. Plain C++17 preprocessor (no __VA_OPT__), so it also builds with -Wpedantic. Each
// count has its own flat definition rather than a recursive chain, so a diagnostic inside one
// member's expansion carries a few "in expansion of macro" notes, not one per member.
// Generated; do not edit by hand.
#pragma once

#define PICKLEJAR_DETAIL_CAT_(a, b) a##b
#define PICKLEJAR_DETAIL_CAT(a, b) PICKLEJAR_DETAIL_CAT_(a, b)

// The argument list pushes the numbers right, so the one in the 65th place is the count.
#define PICKLEJAR_DETAIL_COUNT(...) \
  PICKLEJAR_DETAIL_COUNT_(__VA_ARGS__, 64, 63, 62, 61, 60, 59, 58, 57, 56, 55, 54, 53, 52, 51, \
      50, 49, 48, 47, 46, 45, 44, 43, 42, 41, 40, 39, 38, 37, 36, 35, 34, 33, 32, 31, 30, 29, 28, \
      27, 26, 25, 24, 23, 22, 21, 20, 19, 18, 17, 16, 15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, \
      3, 2, 1, 0)
#define PICKLEJAR_DETAIL_COUNT_(a1, a2, a3, a4, a5, a6, a7, a8, a9, a10, a11, a12, a13, a14, a15, \
    a16, a17, a18, a19, a20, a21, a22, a23, a24, a25, a26, a27, a28, a29, a30, a31, a32, a33, \
    a34, a35, a36, a37, a38, a39, a40, a41, a42, a43, a44, a45, a46, a47, a48, a49, a50, a51, \
    a52, a53, a54, a55, a56, a57, a58, a59, a60, a61, a62, a63, a64, n, ...) \
  n

/// PICKLEJAR_DETAIL_FOR_EACH(m, a, b, c) expands to m(a) m(b) m(c).
#define PICKLEJAR_DETAIL_FOR_EACH(macro, ...) \
  PICKLEJAR_DETAIL_CAT(PICKLEJAR_DETAIL_FOR_EACH_, PICKLEJAR_DETAIL_COUNT(__VA_ARGS__))(macro, __VA_ARGS__)

// One argument may be none at all: PICKLEJAR_FIELDS() declares a class with nothing of its own to
// save (a stateless layer). An empty argument pasted onto the probe makes the probe's name, which
// expands to a second argument of 1; a member name makes an unknown identifier, leaving the 0.
#define PICKLEJAR_DETAIL_SECOND_(a, b, ...) b
#define PICKLEJAR_DETAIL_SECOND(...) PICKLEJAR_DETAIL_SECOND_(__VA_ARGS__)
#define PICKLEJAR_DETAIL_EMPTY_PROBE_ ~, 1
#define PICKLEJAR_DETAIL_PASTE_PROBE(a) PICKLEJAR_DETAIL_EMPTY_PROBE_##a
#define PICKLEJAR_DETAIL_IS_EMPTY(a) PICKLEJAR_DETAIL_SECOND(PICKLEJAR_DETAIL_PASTE_PROBE(a), 0, ~)
#define PICKLEJAR_DETAIL_FOR_ONE_0(m, a1) m(a1)
#define PICKLEJAR_DETAIL_FOR_ONE_1(m, a1)
#define PICKLEJAR_DETAIL_FOR_EACH_1(m, a1) \
  PICKLEJAR_DETAIL_CAT(PICKLEJAR_DETAIL_FOR_ONE_, PICKLEJAR_DETAIL_IS_EMPTY(a1))(m, a1)
#define PICKLEJAR_DETAIL_FOR_EACH_2(m, a1, a2) m(a1) m(a2)
#define PICKLEJAR_DETAIL_FOR_EACH_3(m, a1, a2, a3) m(a1) m(a2) m(a3)
#define PICKLEJAR_DETAIL_FOR_EACH_4(m, a1, a2, a3, a4) m(a1) m(a2) m(a3) m(a4)
#define PICKLEJAR_DETAIL_FOR_EACH_5(m, a1, a2, a3, a4, a5) m(a1) m(a2) m(a3) m(a4) m(a5)
#define PICKLEJAR_DETAIL_FOR_EACH_6(m, a1, a2, a3, a4, a5, a6) m(a1) m(a2) m(a3) m(a4) m(a5) m(a6)
#define PICKLEJAR_DETAIL_FOR_EACH_7(m, a1, a2, a3, a4, a5, a6, a7) \
  m(a1) m(a2) m(a3) m(a4) m(a5) m(a6) m(a7)
#define PICKLEJAR_DETAIL_FOR_EACH_8(m, a1, a2, a3, a4, a5, a6, a7, a8) \
  m(a1) m(a2) m(a3) m(a4) m(a5) m(a6) m(a7) m(a8)
#define PICKLEJAR_DETAIL_FOR_EACH_9(m, a1, a2, a3, a4, a5, a6, a7, a8, a9) \
  m(a1) m(a2) m(a3) m(a4) m(a5) m(a6) m(a7) m(a8) m(a9)
#define PICKLEJAR_DETAIL_FOR_EACH_10(m, a1, a2, a3, a4, a5, a6, a7, a8, a9, a10) \
  m(a1) m(a2) m(a3) m(a4) m(a5) m(a6) m(a7) m(a8) m(a9) m(a10)
#define PICKLEJAR_DETAIL_FOR_EACH_11(m, a1, a2, a3, a4, a5, a6, a7, a8, a9, a10, a11) \
  m(a1) m(a2) m(a3) m(a4) m(a5) m(a6) m(a7) m(a8) m(a9) m(a10) m(a11)
#define PICKLEJAR_DETAIL_FOR_EACH_12(m, a1, a2, a3, a4, a5, a6, a7, a8, a9, a10, a11, a12) \
  m(a1) m(a2) m(a3) m(a4) m(a5) m(a6) m(a7) m(a8) m(a9) m(a10) m(a11) m(a12)
#define PICKLEJAR_DETAIL_FOR_EACH_13(m, a1, a2, a3, a4, a5, a6, a7, a8, a9, a10, a11, a12, a13) \
  m(a1) m(a2) m(a3) m(a4) m(a5) m(a6) m(a7) m(a8) m(a9) m(a10) m(a11) m(a12) m(a13)
#define PICKLEJAR_DETAIL_FOR_EACH_14(m, a1, a2, a3, a4, a5, a6, a7, a8, a9, a10, a11, a12, a13, \
    a14) \
  m(a1) m(a2) m(a3) m(a4) m(a5) m(a6) m(a7) m(a8) m(a9) m(a10) m(a11) m(a12) m(a13) m(a14)
#define PICKLEJAR_DETAIL_FOR_EACH_15(m, a1, a2, a3, a4, a5, a6, a7, a8, a9, a10, a11, a12, a13, \
    a14, a15) \
  m(a1) m(a2) m(a3) m(a4) m(a5) m(a6) m(a7) m(a8) m(a9) m(a10) m(a11) m(a12) m(a13) m(a14) \
  m(a15)
#define PICKLEJAR_DETAIL_FOR_EACH_16(m, a1, a2, a3, a4, a5, a6, a7, a8, a9, a10, a11, a12, a13, \
    a14, a15, a16) \
  m(a1) m(a2) m(a3) m(a4) m(a5) m(a6) m(a7) m(a8) m(a9) m(a10) m(a11) m(a12) m(a13) m(a14) \
  m(a15) m(a16)
#define PICKLEJAR_DETAIL_FOR_EACH_17(m, a1, a2, a3, a4, a5, a6, a7, a8, a9, a10, a11, a12, a13, \
    a14, a15, a16, a17) \
  m(a1) m(a2) m(a3) m(a4) m(a5) m(a6) m(a7) m(a8) m(a9) m(a10) m(a11) m(a12) m(a13) m(a14) \
  m(a15) m(a16) m(a17)
#define PICKLEJAR_DETAIL_FOR_EACH_18(m, a1, a2, a3, a4, a5, a6, a7, a8, a9, a10, a11, a12, a13, \
    a14, a15, a16, a17, a18) \
  m(a1) m(a2) m(a3) m(a4) m(a5) m(a6) m(a7) m(a8) m(a9) m(a10) m(a11) m(a12) m(a13) m(a14) \
  m(a15) m(a16) m(a17) m(a18)
#define PICKLEJAR_DETAIL_FOR_EACH_19(m, a1, a2, a3, a4, a5, a6, a7, a8, a9, a10, a11, a12, a13, \
    a14, a15, a16, a17, a18, a19) \
  m(a1) m(a2) m(a3) m(a4) m(a5) m(a6) m(a7) m(a8) m(a9) m(a10) m(a11) m(a12) m(a13) m(a14) \
  m(a15) m(a16) m(a17) m(a18) m(a19)
#define PICKLEJAR_DETAIL_FOR_EACH_20(m, a1, a2, a3, a4, a5, a6, a7, a8, a9, a10, a11, a12, a13, \
    a14, a15, a16, a17, a18, a19, a20) \
  m(a1) m(a2) m(a3) m(a4) m(a5) m(a6) m(a7) m(a8) m(a9) m(a10) m(a11) m(a12) m(a13) m(a14) \
  m(a15) m(a16) m(a17) m(a18) m(a19) m(a20)
#define PICKLEJAR_DETAIL_FOR_EACH_21(m, a1, a2, a3, a4, a5, a6, a7, a8, a9, a10, a11, a12, a13, \
    a14, a15, a16, a17, a18, a19, a20, a21) \
  m(a1) m(a2) m(a3) m(a4) m(a5) m(a6) m(a7) m(a8) m(a9) m(a10) m(a11) m(a12) m(a13) m(a14) \
  m(a15) m(a16) m(a17) m(a18) m(a19) m(a20) m(a21)
#define PICKLEJAR_DETAIL_FOR_EACH_22(m, a1, a2, a3, a4, a5, a6, a7, a8, a9, a10, a11, a12, a13, \
    a14, a15, a16, a17, a18, a19, a20, a21, a22) \
  m(a1) m(a2) m(a3) m(a4) m(a5) m(a6) m(a7) m(a8) m(a9) m(a10) m(a11) m(a12) m(a13) m(a14) \
  m(a15) m(a16) m(a17) m(a18) m(a19) m(a20) m(a21) m(a22)
#define PICKLEJAR_DETAIL_FOR_EACH_23(m, a1, a2, a3, a4, a5, a6, a7, a8, a9, a10, a11, a12, a13, \
    a14, a15, a16, a17, a18, a19, a20, a21, a22, a23) \
  m(a1) m(a2) m(a3) m(a4) m(a5) m(a6) m(a7) m(a8) m(a9) m(a10) m(a11) m(a12) m(a13) m(a14) \
  m(a15) m(a16) m(a17) m(a18) m(a19) m(a20) m(a21) m(a22) m(a23)
#define PICKLEJAR_DETAIL_FOR_EACH_24(m, a1, a2, a3, a4, a5, a6, a7, a8, a9, a10, a11, a12, a13, \
    a14, a15, a16, a17, a18, a19, a20, a21, a22, a23, a24) \
  m(a1) m(a2) m(a3) m(a4) m(a5) m(a6) m(a7) m(a8) m(a9) m(a10) m(a11) m(a12) m(a13) m(a14) \
  m(a15) m(a16) m(a17) m(a18) m(a19) m(a20) m(a21) m(a22) m(a23) m(a24)
#define PICKLEJAR_DETAIL_FOR_EACH_25(m, a1, a2, a3, a4, a5, a6, a7, a8, a9, a10, a11, a12, a13, \
    a14, a15, a16, a17, a18, a19, a20, a21, a22, a23, a24, a25) \
  m(a1) m(a2) m(a3) m(a4) m(a5) m(a6) m(a7) m(a8) m(a9) m(a10) m(a11) m(a12) m(a13) m(a14) \
  m(a15) m(a16) m(a17) m(a18) m(a19) m(a20) m(a21) m(a22) m(a23) m(a24) m(a25)
#define PICKLEJAR_DETAIL_FOR_EACH_26(m, a1, a2, a3, a4, a5, a6, a7, a8, a9, a10, a11, a12, a13, \
    a14, a15, a16, a17, a18, a19, a20, a21, a22, a23, a24, a25, a26) \
  m(a1) m(a2) m(a3) m(a4) m(a5) m(a6) m(a7) m(a8) m(a9) m(a10) m(a11) m(a12) m(a13) m(a14) \
  m(a15) m(a16) m(a17) m(a18) m(a19) m(a20) m(a21) m(a22) m(a23) m(a24) m(a25) m(a26)
#define PICKLEJAR_DETAIL_FOR_EACH_27(m, a1, a2, a3, a4, a5, a6, a7, a8, a9, a10, a11, a12, a13, \
    a14, a15, a16, a17, a18, a19, a20, a21, a22, a23, a24, a25, a26, a27) \
  m(a1) m(a2) m(a3) m(a4) m(a5) m(a6) m(a7) m(a8) m(a9) m(a10) m(a11) m(a12) m(a13) m(a14) \
  m(a15) m(a16) m(a17) m(a18) m(a19) m(a20) m(a21) m(a22) m(a23) m(a24) m(a25) m(a26) m(a27)
#define PICKLEJAR_DETAIL_FOR_EACH_28(m, a1, a2, a3, a4, a5, a6, a7, a8, a9, a10, a11, a12, a13, \
    a14, a15, a16, a17, a18, a19, a20, a21, a22, a23, a24, a25, a26, a27, a28) \
  m(a1) m(a2) m(a3) m(a4) m(a5) m(a6) m(a7) m(a8) m(a9) m(a10) m(a11) m(a12) m(a13) m(a14) \
  m(a15) m(a16) m(a17) m(a18) m(a19) m(a20) m(a21) m(a22) m(a23) m(a24) m(a25) m(a26) m(a27) \
  m(a28)
#define PICKLEJAR_DETAIL_FOR_EACH_29(m, a1, a2, a3, a4, a5, a6, a7, a8, a9, a10, a11, a12, a13, \
    a14, a15, a16, a17, a18, a19, a20, a21, a22, a23, a24, a25, a26, a27, a28, a29) \
  m(a1) m(a2) m(a3) m(a4) m(a5) m(a6) m(a7) m(a8) m(a9) m(a10) m(a11) m(a12) m(a13) m(a14) \
  m(a15) m(a16) m(a17) m(a18) m(a19) m(a20) m(a21) m(a22) m(a23) m(a24) m(a25) m(a26) m(a27) \
  m(a28) m(a29)
#define PICKLEJAR_DETAIL_FOR_EACH_30(m, a1, a2, a3, a4, a5, a6, a7, a8, a9, a10, a11, a12, a13, \
    a14, a15, a16, a17, a18, a19, a20, a21, a22, a23, a24, a25, a26, a27, a28, a29, a30) \
  m(a1) m(a2) m(a3) m(a4) m(a5) m(a6) m(a7) m(a8) m(a9) m(a10) m(a11) m(a12) m(a13) m(a14) \
  m(a15) m(a16) m(a17) m(a18) m(a19) m(a20) m(a21) m(a22) m(a23) m(a24) m(a25) m(a26) m(a27) \
  m(a28) m(a29) m(a30)
#define PICKLEJAR_DETAIL_FOR_EACH_31(m, a1, a2, a3, a4, a5, a6, a7, a8, a9, a10, a11, a12, a13, \
    a14, a15, a16, a17, a18, a19, a20, a21, a22, a23, a24, a25, a26, a27, a28, a29, a30, a31) \
  m(a1) m(a2) m(a3) m(a4) m(a5) m(a6) m(a7) m(a8) m(a9) m(a10) m(a11) m(a12) m(a13) m(a14) \
  m(a15) m(a16) m(a17) m(a18) m(a19) m(a20) m(a21) m(a22) m(a23) m(a24) m(a25) m(a26) m(a27) \
  m(a28) m(a29) m(a30) m(a31)
#define PICKLEJAR_DETAIL_FOR_EACH_32(m, a1, a2, a3, a4, a5, a6, a7, a8, a9, a10, a11, a12, a13, \
    a14, a15, a16, a17, a18, a19, a20, a21, a22, a23, a24, a25, a26, a27, a28, a29, a30, a31, \
    a32) \
  m(a1) m(a2) m(a3) m(a4) m(a5) m(a6) m(a7) m(a8) m(a9) m(a10) m(a11) m(a12) m(a13) m(a14) \
  m(a15) m(a16) m(a17) m(a18) m(a19) m(a20) m(a21) m(a22) m(a23) m(a24) m(a25) m(a26) m(a27) \
  m(a28) m(a29) m(a30) m(a31) m(a32)
#define PICKLEJAR_DETAIL_FOR_EACH_33(m, a1, a2, a3, a4, a5, a6, a7, a8, a9, a10, a11, a12, a13, \
    a14, a15, a16, a17, a18, a19, a20, a21, a22, a23, a24, a25, a26, a27, a28, a29, a30, a31, \
    a32, a33) \
  m(a1) m(a2) m(a3) m(a4) m(a5) m(a6) m(a7) m(a8) m(a9) m(a10) m(a11) m(a12) m(a13) m(a14) \
  m(a15) m(a16) m(a17) m(a18) m(a19) m(a20) m(a21) m(a22) m(a23) m(a24) m(a25) m(a26) m(a27) \
  m(a28) m(a29) m(a30) m(a31) m(a32) m(a33)
#define PICKLEJAR_DETAIL_FOR_EACH_34(m, a1, a2, a3, a4, a5, a6, a7, a8, a9, a10, a11, a12, a13, \
    a14, a15, a16, a17, a18, a19, a20, a21, a22, a23, a24, a25, a26, a27, a28, a29, a30, a31, \
    a32, a33, a34) \
  m(a1) m(a2) m(a3) m(a4) m(a5) m(a6) m(a7) m(a8) m(a9) m(a10) m(a11) m(a12) m(a13) m(a14) \
  m(a15) m(a16) m(a17) m(a18) m(a19) m(a20) m(a21) m(a22) m(a23) m(a24) m(a25) m(a26) m(a27) \
  m(a28) m(a29) m(a30) m(a31) m(a32) m(a33) m(a34)
#define PICKLEJAR_DETAIL_FOR_EACH_35(m, a1, a2, a3, a4, a5, a6, a7, a8, a9, a10, a11, a12, a13, \
    a14, a15, a16, a17, a18, a19, a20, a21, a22, a23, a24, a25, a26, a27, a28, a29, a30, a31, \
    a32, a33, a34, a35) \
  m(a1) m(a2) m(a3) m(a4) m(a5) m(a6) m(a7) m(a8) m(a9) m(a10) m(a11) m(a12) m(a13) m(a14) \
  m(a15) m(a16) m(a17) m(a18) m(a19) m(a20) m(a21) m(a22) m(a23) m(a24) m(a25) m(a26) m(a27) \
  m(a28) m(a29) m(a30) m(a31) m(a32) m(a33) m(a34) m(a35)
#define PICKLEJAR_DETAIL_FOR_EACH_36(m, a1, a2, a3, a4, a5, a6, a7, a8, a9, a10, a11, a12, a13, \
    a14, a15, a16, a17, a18, a19, a20, a21, a22, a23, a24, a25, a26, a27, a28, a29, a30, a31, \
    a32, a33, a34, a35, a36) \
  m(a1) m(a2) m(a3) m(a4) m(a5) m(a6) m(a7) m(a8) m(a9) m(a10) m(a11) m(a12) m(a13) m(a14) \
  m(a15) m(a16) m(a17) m(a18) m(a19) m(a20) m(a21) m(a22) m(a23) m(a24) m(a25) m(a26) m(a27) \
  m(a28) m(a29) m(a30) m(a31) m(a32) m(a33) m(a34) m(a35) m(a36)
#define PICKLEJAR_DETAIL_FOR_EACH_37(m, a1, a2, a3, a4, a5, a6, a7, a8, a9, a10, a11, a12, a13, \
    a14, a15, a16, a17, a18, a19, a20, a21, a22, a23, a24, a25, a26, a27, a28, a29, a30, a31, \
    a32, a33, a34, a35, a36, a37) \
  m(a1) m(a2) m(a3) m(a4) m(a5) m(a6) m(a7) m(a8) m(a9) m(a10) m(a11) m(a12) m(a13) m(a14) \
  m(a15) m(a16) m(a17) m(a18) m(a19) m(a20) m(a21) m(a22) m(a23) m(a24) m(a25) m(a26) m(a27) \
  m(a28) m(a29) m(a30) m(a31) m(a32) m(a33) m(a34) m(a35) m(a36) m(a37)
#define PICKLEJAR_DETAIL_FOR_EACH_38(m, a1, a2, a3, a4, a5, a6, a7, a8, a9, a10, a11, a12, a13, \
    a14, a15, a16, a17, a18, a19, a20, a21, a22, a23, a24, a25, a26, a27, a28, a29, a30, a31, \
    a32, a33, a34, a35, a36, a37, a38) \
  m(a1) m(a2) m(a3) m(a4) m(a5) m(a6) m(a7) m(a8) m(a9) m(a10) m(a11) m(a12) m(a13) m(a14) \
  m(a15) m(a16) m(a17) m(a18) m(a19) m(a20) m(a21) m(a22) m(a23) m(a24) m(a25) m(a26) m(a27) \
  m(a28) m(a29) m(a30) m(a31) m(a32) m(a33) m(a34) m(a35) m(a36) m(a37) m(a38)
#define PICKLEJAR_DETAIL_FOR_EACH_39(m, a1, a2, a3, a4, a5, a6, a7, a8, a9, a10, a11, a12, a13, \
    a14, a15, a16, a17, a18, a19, a20, a21, a22, a23, a24, a25, a26, a27, a28, a29, a30, a31, \
    a32, a33, a34, a35, a36, a37, a38, a39) \
  m(a1) m(a2) m(a3) m(a4) m(a5) m(a6) m(a7) m(a8) m(a9) m(a10) m(a11) m(a12) m(a13) m(a14) \
  m(a15) m(a16) m(a17) m(a18) m(a19) m(a20) m(a21) m(a22) m(a23) m(a24) m(a25) m(a26) m(a27) \
  m(a28) m(a29) m(a30) m(a31) m(a32) m(a33) m(a34) m(a35) m(a36) m(a37) m(a38) m(a39)
#define PICKLEJAR_DETAIL_FOR_EACH_40(m, a1, a2, a3, a4, a5, a6, a7, a8, a9, a10, a11, a12, a13, \
    a14, a15, a16, a17, a18, a19, a20, a21, a22, a23, a24, a25, a26, a27, a28, a29, a30, a31, \
    a32, a33, a34, a35, a36, a37, a38, a39, a40) \
  m(a1) m(a2) m(a3) m(a4) m(a5) m(a6) m(a7) m(a8) m(a9) m(a10) m(a11) m(a12) m(a13) m(a14) \
  m(a15) m(a16) m(a17) m(a18) m(a19) m(a20) m(a21) m(a22) m(a23) m(a24) m(a25) m(a26) m(a27) \
  m(a28) m(a29) m(a30) m(a31) m(a32) m(a33) m(a34) m(a35) m(a36) m(a37) m(a38) m(a39) m(a40)
#define PICKLEJAR_DETAIL_FOR_EACH_41(m, a1, a2, a3, a4, a5, a6, a7, a8, a9, a10, a11, a12, a13, \
    a14, a15, a16, a17, a18, a19, a20, a21, a22, a23, a24, a25, a26, a27, a28, a29, a30, a31, \
    a32, a33, a34, a35, a36, a37, a38, a39, a40, a41) \
  m(a1) m(a2) m(a3) m(a4) m(a5) m(a6) m(a7) m(a8) m(a9) m(a10) m(a11) m(a12) m(a13) m(a14) \
  m(a15) m(a16) m(a17) m(a18) m(a19) m(a20) m(a21) m(a22) m(a23) m(a24) m(a25) m(a26) m(a27) \
  m(a28) m(a29) m(a30) m(a31) m(a32) m(a33) m(a34) m(a35) m(a36) m(a37) m(a38) m(a39) m(a40) \
  m(a41)
#define PICKLEJAR_DETAIL_FOR_EACH_42(m, a1, a2, a3, a4, a5, a6, a7, a8, a9, a10, a11, a12, a13, \
    a14, a15, a16, a17, a18, a19, a20, a21, a22, a23, a24, a25, a26, a27, a28, a29, a30, a31, \
    a32, a33, a34, a35, a36, a37, a38, a39, a40, a41, a42) \
  m(a1) m(a2) m(a3) m(a4) m(a5) m(a6) m(a7) m(a8) m(a9) m(a10) m(a11) m(a12) m(a13) m(a14) \
  m(a15) m(a16) m(a17) m(a18) m(a19) m(a20) m(a21) m(a22) m(a23) m(a24) m(a25) m(a26) m(a27) \
  m(a28) m(a29) m(a30) m(a31) m(a32) m(a33) m(a34) m(a35) m(a36) m(a37) m(a38) m(a39) m(a40) \
  m(a41) m(a42)
#define PICKLEJAR_DETAIL_FOR_EACH_43(m, a1, a2, a3, a4, a5, a6, a7, a8, a9, a10, a11, a12, a13, \
    a14, a15, a16, a17, a18, a19, a20, a21, a22, a23, a24, a25, a26, a27, a28, a29, a30, a31, \
    a32, a33, a34, a35, a36, a37, a38, a39, a40, a41, a42, a43) \
  m(a1) m(a2) m(a3) m(a4) m(a5) m(a6) m(a7) m(a8) m(a9) m(a10) m(a11) m(a12) m(a13) m(a14) \
  m(a15) m(a16) m(a17) m(a18) m(a19) m(a20) m(a21) m(a22) m(a23) m(a24) m(a25) m(a26) m(a27) \
  m(a28) m(a29) m(a30) m(a31) m(a32) m(a33) m(a34) m(a35) m(a36) m(a37) m(a38) m(a39) m(a40) \
  m(a41) m(a42) m(a43)
#define PICKLEJAR_DETAIL_FOR_EACH_44(m, a1, a2, a3, a4, a5, a6, a7, a8, a9, a10, a11, a12, a13, \
    a14, a15, a16, a17, a18, a19, a20, a21, a22, a23, a24, a25, a26, a27, a28, a29, a30, a31, \
    a32, a33, a34, a35, a36, a37, a38, a39, a40, a41, a42, a43, a44) \
  m(a1) m(a2) m(a3) m(a4) m(a5) m(a6) m(a7) m(a8) m(a9) m(a10) m(a11) m(a12) m(a13) m(a14) \
  m(a15) m(a16) m(a17) m(a18) m(a19) m(a20) m(a21) m(a22) m(a23) m(a24) m(a25) m(a26) m(a27) \
  m(a28) m(a29) m(a30) m(a31) m(a32) m(a33) m(a34) m(a35) m(a36) m(a37) m(a38) m(a39) m(a40) \
  m(a41) m(a42) m(a43) m(a44)
#define PICKLEJAR_DETAIL_FOR_EACH_45(m, a1, a2, a3, a4, a5, a6, a7, a8, a9, a10, a11, a12, a13, \
    a14, a15, a16, a17, a18, a19, a20, a21, a22, a23, a24, a25, a26, a27, a28, a29, a30, a31, \
    a32, a33, a34, a35, a36, a37, a38, a39, a40, a41, a42, a43, a44, a45) \
  m(a1) m(a2) m(a3) m(a4) m(a5) m(a6) m(a7) m(a8) m(a9) m(a10) m(a11) m(a12) m(a13) m(a14) \
  m(a15) m(a16) m(a17) m(a18) m(a19) m(a20) m(a21) m(a22) m(a23) m(a24) m(a25) m(a26) m(a27) \
  m(a28) m(a29) m(a30) m(a31) m(a32) m(a33) m(a34) m(a35) m(a36) m(a37) m(a38) m(a39) m(a40) \
  m(a41) m(a42) m(a43) m(a44) m(a45)
#define PICKLEJAR_DETAIL_FOR_EACH_46(m, a1, a2, a3, a4, a5, a6, a7, a8, a9, a10, a11, a12, a13, \
    a14, a15, a16, a17, a18, a19, a20, a21, a22, a23, a24, a25, a26, a27, a28, a29, a30, a31, \
    a32, a33, a34, a35, a36, a37, a38, a39, a40, a41, a42, a43, a44, a45, a46) \
  m(a1) m(a2) m(a3) m(a4) m(a5) m(a6) m(a7) m(a8) m(a9) m(a10) m(a11) m(a12) m(a13) m(a14) \
  m(a15) m(a16) m(a17) m(a18) m(a19) m(a20) m(a21) m(a22) m(a23) m(a24) m(a25) m(a26) m(a27) \
  m(a28) m(a29) m(a30) m(a31) m(a32) m(a33) m(a34) m(a35) m(a36) m(a37) m(a38) m(a39) m(a40) \
  m(a41) m(a42) m(a43) m(a44) m(a45) m(a46)
#define PICKLEJAR_DETAIL_FOR_EACH_47(m, a1, a2, a3, a4, a5, a6, a7, a8, a9, a10, a11, a12, a13, \
    a14, a15, a16, a17, a18, a19, a20, a21, a22, a23, a24, a25, a26, a27, a28, a29, a30, a31, \
    a32, a33, a34, a35, a36, a37, a38, a39, a40, a41, a42, a43, a44, a45, a46, a47) \
  m(a1) m(a2) m(a3) m(a4) m(a5) m(a6) m(a7) m(a8) m(a9) m(a10) m(a11) m(a12) m(a13) m(a14) \
  m(a15) m(a16) m(a17) m(a18) m(a19) m(a20) m(a21) m(a22) m(a23) m(a24) m(a25) m(a26) m(a27) \
  m(a28) m(a29) m(a30) m(a31) m(a32) m(a33) m(a34) m(a35) m(a36) m(a37) m(a38) m(a39) m(a40) \
  m(a41) m(a42) m(a43) m(a44) m(a45) m(a46) m(a47)
#define PICKLEJAR_DETAIL_FOR_EACH_48(m, a1, a2, a3, a4, a5, a6, a7, a8, a9, a10, a11, a12, a13, \
    a14, a15, a16, a17, a18, a19, a20, a21, a22, a23, a24, a25, a26, a27, a28, a29, a30, a31, \
    a32, a33, a34, a35, a36, a37, a38, a39, a40, a41, a42, a43, a44, a45, a46, a47, a48) \
  m(a1) m(a2) m(a3) m(a4) m(a5) m(a6) m(a7) m(a8) m(a9) m(a10) m(a11) m(a12) m(a13) m(a14) \
  m(a15) m(a16) m(a17) m(a18) m(a19) m(a20) m(a21) m(a22) m(a23) m(a24) m(a25) m(a26) m(a27) \
  m(a28) m(a29) m(a30) m(a31) m(a32) m(a33) m(a34) m(a35) m(a36) m(a37) m(a38) m(a39) m(a40) \
  m(a41) m(a42) m(a43) m(a44) m(a45) m(a46) m(a47) m(a48)
#define PICKLEJAR_DETAIL_FOR_EACH_49(m, a1, a2, a3, a4, a5, a6, a7, a8, a9, a10, a11, a12, a13, \
    a14, a15, a16, a17, a18, a19, a20, a21, a22, a23, a24, a25, a26, a27, a28, a29, a30, a31, \
    a32, a33, a34, a35, a36, a37, a38, a39, a40, a41, a42, a43, a44, a45, a46, a47, a48, a49) \
  m(a1) m(a2) m(a3) m(a4) m(a5) m(a6) m(a7) m(a8) m(a9) m(a10) m(a11) m(a12) m(a13) m(a14) \
  m(a15) m(a16) m(a17) m(a18) m(a19) m(a20) m(a21) m(a22) m(a23) m(a24) m(a25) m(a26) m(a27) \
  m(a28) m(a29) m(a30) m(a31) m(a32) m(a33) m(a34) m(a35) m(a36) m(a37) m(a38) m(a39) m(a40) \
  m(a41) m(a42) m(a43) m(a44) m(a45) m(a46) m(a47) m(a48) m(a49)
#define PICKLEJAR_DETAIL_FOR_EACH_50(m, a1, a2, a3, a4, a5, a6, a7, a8, a9, a10, a11, a12, a13, \
    a14, a15, a16, a17, a18, a19, a20, a21, a22, a23, a24, a25, a26, a27, a28, a29, a30, a31, \
    a32, a33, a34, a35, a36, a37, a38, a39, a40, a41, a42, a43, a44, a45, a46, a47, a48, a49, \
    a50) \
  m(a1) m(a2) m(a3) m(a4) m(a5) m(a6) m(a7) m(a8) m(a9) m(a10) m(a11) m(a12) m(a13) m(a14) \
  m(a15) m(a16) m(a17) m(a18) m(a19) m(a20) m(a21) m(a22) m(a23) m(a24) m(a25) m(a26) m(a27) \
  m(a28) m(a29) m(a30) m(a31) m(a32) m(a33) m(a34) m(a35) m(a36) m(a37) m(a38) m(a39) m(a40) \
  m(a41) m(a42) m(a43) m(a44) m(a45) m(a46) m(a47) m(a48) m(a49) m(a50)
#define PICKLEJAR_DETAIL_FOR_EACH_51(m, a1, a2, a3, a4, a5, a6, a7, a8, a9, a10, a11, a12, a13, \
    a14, a15, a16, a17, a18, a19, a20, a21, a22, a23, a24, a25, a26, a27, a28, a29, a30, a31, \
    a32, a33, a34, a35, a36, a37, a38, a39, a40, a41, a42, a43, a44, a45, a46, a47, a48, a49, \
    a50, a51) \
  m(a1) m(a2) m(a3) m(a4) m(a5) m(a6) m(a7) m(a8) m(a9) m(a10) m(a11) m(a12) m(a13) m(a14) \
  m(a15) m(a16) m(a17) m(a18) m(a19) m(a20) m(a21) m(a22) m(a23) m(a24) m(a25) m(a26) m(a27) \
  m(a28) m(a29) m(a30) m(a31) m(a32) m(a33) m(a34) m(a35) m(a36) m(a37) m(a38) m(a39) m(a40) \
  m(a41) m(a42) m(a43) m(a44) m(a45) m(a46) m(a47) m(a48) m(a49) m(a50) m(a51)
#define PICKLEJAR_DETAIL_FOR_EACH_52(m, a1, a2, a3, a4, a5, a6, a7, a8, a9, a10, a11, a12, a13, \
    a14, a15, a16, a17, a18, a19, a20, a21, a22, a23, a24, a25, a26, a27, a28, a29, a30, a31, \
    a32, a33, a34, a35, a36, a37, a38, a39, a40, a41, a42, a43, a44, a45, a46, a47, a48, a49, \
    a50, a51, a52) \
  m(a1) m(a2) m(a3) m(a4) m(a5) m(a6) m(a7) m(a8) m(a9) m(a10) m(a11) m(a12) m(a13) m(a14) \
  m(a15) m(a16) m(a17) m(a18) m(a19) m(a20) m(a21) m(a22) m(a23) m(a24) m(a25) m(a26) m(a27) \
  m(a28) m(a29) m(a30) m(a31) m(a32) m(a33) m(a34) m(a35) m(a36) m(a37) m(a38) m(a39) m(a40) \
  m(a41) m(a42) m(a43) m(a44) m(a45) m(a46) m(a47) m(a48) m(a49) m(a50) m(a51) m(a52)
#define PICKLEJAR_DETAIL_FOR_EACH_53(m, a1, a2, a3, a4, a5, a6, a7, a8, a9, a10, a11, a12, a13, \
    a14, a15, a16, a17, a18, a19, a20, a21, a22, a23, a24, a25, a26, a27, a28, a29, a30, a31, \
    a32, a33, a34, a35, a36, a37, a38, a39, a40, a41, a42, a43, a44, a45, a46, a47, a48, a49, \
    a50, a51, a52, a53) \
  m(a1) m(a2) m(a3) m(a4) m(a5) m(a6) m(a7) m(a8) m(a9) m(a10) m(a11) m(a12) m(a13) m(a14) \
  m(a15) m(a16) m(a17) m(a18) m(a19) m(a20) m(a21) m(a22) m(a23) m(a24) m(a25) m(a26) m(a27) \
  m(a28) m(a29) m(a30) m(a31) m(a32) m(a33) m(a34) m(a35) m(a36) m(a37) m(a38) m(a39) m(a40) \
  m(a41) m(a42) m(a43) m(a44) m(a45) m(a46) m(a47) m(a48) m(a49) m(a50) m(a51) m(a52) m(a53)
#define PICKLEJAR_DETAIL_FOR_EACH_54(m, a1, a2, a3, a4, a5, a6, a7, a8, a9, a10, a11, a12, a13, \
    a14, a15, a16, a17, a18, a19, a20, a21, a22, a23, a24, a25, a26, a27, a28, a29, a30, a31, \
    a32, a33, a34, a35, a36, a37, a38, a39, a40, a41, a42, a43, a44, a45, a46, a47, a48, a49, \
    a50, a51, a52, a53, a54) \
  m(a1) m(a2) m(a3) m(a4) m(a5) m(a6) m(a7) m(a8) m(a9) m(a10) m(a11) m(a12) m(a13) m(a14) \
  m(a15) m(a16) m(a17) m(a18) m(a19) m(a20) m(a21) m(a22) m(a23) m(a24) m(a25) m(a26) m(a27) \
  m(a28) m(a29) m(a30) m(a31) m(a32) m(a33) m(a34) m(a35) m(a36) m(a37) m(a38) m(a39) m(a40) \
  m(a41) m(a42) m(a43) m(a44) m(a45) m(a46) m(a47) m(a48) m(a49) m(a50) m(a51) m(a52) m(a53) \
  m(a54)
#define PICKLEJAR_DETAIL_FOR_EACH_55(m, a1, a2, a3, a4, a5, a6, a7, a8, a9, a10, a11, a12, a13, \
    a14, a15, a16, a17, a18, a19, a20, a21, a22, a23, a24, a25, a26, a27, a28, a29, a30, a31, \
    a32, a33, a34, a35, a36, a37, a38, a39, a40, a41, a42, a43, a44, a45, a46, a47, a48, a49, \
    a50, a51, a52, a53, a54, a55) \
  m(a1) m(a2) m(a3) m(a4) m(a5) m(a6) m(a7) m(a8) m(a9) m(a10) m(a11) m(a12) m(a13) m(a14) \
  m(a15) m(a16) m(a17) m(a18) m(a19) m(a20) m(a21) m(a22) m(a23) m(a24) m(a25) m(a26) m(a27) \
  m(a28) m(a29) m(a30) m(a31) m(a32) m(a33) m(a34) m(a35) m(a36) m(a37) m(a38) m(a39) m(a40) \
  m(a41) m(a42) m(a43) m(a44) m(a45) m(a46) m(a47) m(a48) m(a49) m(a50) m(a51) m(a52) m(a53) \
  m(a54) m(a55)
#define PICKLEJAR_DETAIL_FOR_EACH_56(m, a1, a2, a3, a4, a5, a6, a7, a8, a9, a10, a11, a12, a13, \
    a14, a15, a16, a17, a18, a19, a20, a21, a22, a23, a24, a25, a26, a27, a28, a29, a30, a31, \
    a32, a33, a34, a35, a36, a37, a38, a39, a40, a41, a42, a43, a44, a45, a46, a47, a48, a49, \
    a50, a51, a52, a53, a54, a55, a56) \
  m(a1) m(a2) m(a3) m(a4) m(a5) m(a6) m(a7) m(a8) m(a9) m(a10) m(a11) m(a12) m(a13) m(a14) \
  m(a15) m(a16) m(a17) m(a18) m(a19) m(a20) m(a21) m(a22) m(a23) m(a24) m(a25) m(a26) m(a27) \
  m(a28) m(a29) m(a30) m(a31) m(a32) m(a33) m(a34) m(a35) m(a36) m(a37) m(a38) m(a39) m(a40) \
  m(a41) m(a42) m(a43) m(a44) m(a45) m(a46) m(a47) m(a48) m(a49) m(a50) m(a51) m(a52) m(a53) \
  m(a54) m(a55) m(a56)
#define PICKLEJAR_DETAIL_FOR_EACH_57(m, a1, a2, a3, a4, a5, a6, a7, a8, a9, a10, a11, a12, a13, \
    a14, a15, a16, a17, a18, a19, a20, a21, a22, a23, a24, a25, a26, a27, a28, a29, a30, a31, \
    a32, a33, a34, a35, a36, a37, a38, a39, a40, a41, a42, a43, a44, a45, a46, a47, a48, a49, \
    a50, a51, a52, a53, a54, a55, a56, a57) \
  m(a1) m(a2) m(a3) m(a4) m(a5) m(a6) m(a7) m(a8) m(a9) m(a10) m(a11) m(a12) m(a13) m(a14) \
  m(a15) m(a16) m(a17) m(a18) m(a19) m(a20) m(a21) m(a22) m(a23) m(a24) m(a25) m(a26) m(a27) \
  m(a28) m(a29) m(a30) m(a31) m(a32) m(a33) m(a34) m(a35) m(a36) m(a37) m(a38) m(a39) m(a40) \
  m(a41) m(a42) m(a43) m(a44) m(a45) m(a46) m(a47) m(a48) m(a49) m(a50) m(a51) m(a52) m(a53) \
  m(a54) m(a55) m(a56) m(a57)
#define PICKLEJAR_DETAIL_FOR_EACH_58(m, a1, a2, a3, a4, a5, a6, a7, a8, a9, a10, a11, a12, a13, \
    a14, a15, a16, a17, a18, a19, a20, a21, a22, a23, a24, a25, a26, a27, a28, a29, a30, a31, \
    a32, a33, a34, a35, a36, a37, a38, a39, a40, a41, a42, a43, a44, a45, a46, a47, a48, a49, \
    a50, a51, a52, a53, a54, a55, a56, a57, a58) \
  m(a1) m(a2) m(a3) m(a4) m(a5) m(a6) m(a7) m(a8) m(a9) m(a10) m(a11) m(a12) m(a13) m(a14) \
  m(a15) m(a16) m(a17) m(a18) m(a19) m(a20) m(a21) m(a22) m(a23) m(a24) m(a25) m(a26) m(a27) \
  m(a28) m(a29) m(a30) m(a31) m(a32) m(a33) m(a34) m(a35) m(a36) m(a37) m(a38) m(a39) m(a40) \
  m(a41) m(a42) m(a43) m(a44) m(a45) m(a46) m(a47) m(a48) m(a49) m(a50) m(a51) m(a52) m(a53) \
  m(a54) m(a55) m(a56) m(a57) m(a58)
#define PICKLEJAR_DETAIL_FOR_EACH_59(m, a1, a2, a3, a4, a5, a6, a7, a8, a9, a10, a11, a12, a13, \
    a14, a15, a16, a17, a18, a19, a20, a21, a22, a23, a24, a25, a26, a27, a28, a29, a30, a31, \
    a32, a33, a34, a35, a36, a37, a38, a39, a40, a41, a42, a43, a44, a45, a46, a47, a48, a49, \
    a50, a51, a52, a53, a54, a55, a56, a57, a58, a59) \
  m(a1) m(a2) m(a3) m(a4) m(a5) m(a6) m(a7) m(a8) m(a9) m(a10) m(a11) m(a12) m(a13) m(a14) \
  m(a15) m(a16) m(a17) m(a18) m(a19) m(a20) m(a21) m(a22) m(a23) m(a24) m(a25) m(a26) m(a27) \
  m(a28) m(a29) m(a30) m(a31) m(a32) m(a33) m(a34) m(a35) m(a36) m(a37) m(a38) m(a39) m(a40) \
  m(a41) m(a42) m(a43) m(a44) m(a45) m(a46) m(a47) m(a48) m(a49) m(a50) m(a51) m(a52) m(a53) \
  m(a54) m(a55) m(a56) m(a57) m(a58) m(a59)
#define PICKLEJAR_DETAIL_FOR_EACH_60(m, a1, a2, a3, a4, a5, a6, a7, a8, a9, a10, a11, a12, a13, \
    a14, a15, a16, a17, a18, a19, a20, a21, a22, a23, a24, a25, a26, a27, a28, a29, a30, a31, \
    a32, a33, a34, a35, a36, a37, a38, a39, a40, a41, a42, a43, a44, a45, a46, a47, a48, a49, \
    a50, a51, a52, a53, a54, a55, a56, a57, a58, a59, a60) \
  m(a1) m(a2) m(a3) m(a4) m(a5) m(a6) m(a7) m(a8) m(a9) m(a10) m(a11) m(a12) m(a13) m(a14) \
  m(a15) m(a16) m(a17) m(a18) m(a19) m(a20) m(a21) m(a22) m(a23) m(a24) m(a25) m(a26) m(a27) \
  m(a28) m(a29) m(a30) m(a31) m(a32) m(a33) m(a34) m(a35) m(a36) m(a37) m(a38) m(a39) m(a40) \
  m(a41) m(a42) m(a43) m(a44) m(a45) m(a46) m(a47) m(a48) m(a49) m(a50) m(a51) m(a52) m(a53) \
  m(a54) m(a55) m(a56) m(a57) m(a58) m(a59) m(a60)
#define PICKLEJAR_DETAIL_FOR_EACH_61(m, a1, a2, a3, a4, a5, a6, a7, a8, a9, a10, a11, a12, a13, \
    a14, a15, a16, a17, a18, a19, a20, a21, a22, a23, a24, a25, a26, a27, a28, a29, a30, a31, \
    a32, a33, a34, a35, a36, a37, a38, a39, a40, a41, a42, a43, a44, a45, a46, a47, a48, a49, \
    a50, a51, a52, a53, a54, a55, a56, a57, a58, a59, a60, a61) \
  m(a1) m(a2) m(a3) m(a4) m(a5) m(a6) m(a7) m(a8) m(a9) m(a10) m(a11) m(a12) m(a13) m(a14) \
  m(a15) m(a16) m(a17) m(a18) m(a19) m(a20) m(a21) m(a22) m(a23) m(a24) m(a25) m(a26) m(a27) \
  m(a28) m(a29) m(a30) m(a31) m(a32) m(a33) m(a34) m(a35) m(a36) m(a37) m(a38) m(a39) m(a40) \
  m(a41) m(a42) m(a43) m(a44) m(a45) m(a46) m(a47) m(a48) m(a49) m(a50) m(a51) m(a52) m(a53) \
  m(a54) m(a55) m(a56) m(a57) m(a58) m(a59) m(a60) m(a61)
#define PICKLEJAR_DETAIL_FOR_EACH_62(m, a1, a2, a3, a4, a5, a6, a7, a8, a9, a10, a11, a12, a13, \
    a14, a15, a16, a17, a18, a19, a20, a21, a22, a23, a24, a25, a26, a27, a28, a29, a30, a31, \
    a32, a33, a34, a35, a36, a37, a38, a39, a40, a41, a42, a43, a44, a45, a46, a47, a48, a49, \
    a50, a51, a52, a53, a54, a55, a56, a57, a58, a59, a60, a61, a62) \
  m(a1) m(a2) m(a3) m(a4) m(a5) m(a6) m(a7) m(a8) m(a9) m(a10) m(a11) m(a12) m(a13) m(a14) \
  m(a15) m(a16) m(a17) m(a18) m(a19) m(a20) m(a21) m(a22) m(a23) m(a24) m(a25) m(a26) m(a27) \
  m(a28) m(a29) m(a30) m(a31) m(a32) m(a33) m(a34) m(a35) m(a36) m(a37) m(a38) m(a39) m(a40) \
  m(a41) m(a42) m(a43) m(a44) m(a45) m(a46) m(a47) m(a48) m(a49) m(a50) m(a51) m(a52) m(a53) \
  m(a54) m(a55) m(a56) m(a57) m(a58) m(a59) m(a60) m(a61) m(a62)
#define PICKLEJAR_DETAIL_FOR_EACH_63(m, a1, a2, a3, a4, a5, a6, a7, a8, a9, a10, a11, a12, a13, \
    a14, a15, a16, a17, a18, a19, a20, a21, a22, a23, a24, a25, a26, a27, a28, a29, a30, a31, \
    a32, a33, a34, a35, a36, a37, a38, a39, a40, a41, a42, a43, a44, a45, a46, a47, a48, a49, \
    a50, a51, a52, a53, a54, a55, a56, a57, a58, a59, a60, a61, a62, a63) \
  m(a1) m(a2) m(a3) m(a4) m(a5) m(a6) m(a7) m(a8) m(a9) m(a10) m(a11) m(a12) m(a13) m(a14) \
  m(a15) m(a16) m(a17) m(a18) m(a19) m(a20) m(a21) m(a22) m(a23) m(a24) m(a25) m(a26) m(a27) \
  m(a28) m(a29) m(a30) m(a31) m(a32) m(a33) m(a34) m(a35) m(a36) m(a37) m(a38) m(a39) m(a40) \
  m(a41) m(a42) m(a43) m(a44) m(a45) m(a46) m(a47) m(a48) m(a49) m(a50) m(a51) m(a52) m(a53) \
  m(a54) m(a55) m(a56) m(a57) m(a58) m(a59) m(a60) m(a61) m(a62) m(a63)
#define PICKLEJAR_DETAIL_FOR_EACH_64(m, a1, a2, a3, a4, a5, a6, a7, a8, a9, a10, a11, a12, a13, \
    a14, a15, a16, a17, a18, a19, a20, a21, a22, a23, a24, a25, a26, a27, a28, a29, a30, a31, \
    a32, a33, a34, a35, a36, a37, a38, a39, a40, a41, a42, a43, a44, a45, a46, a47, a48, a49, \
    a50, a51, a52, a53, a54, a55, a56, a57, a58, a59, a60, a61, a62, a63, a64) \
  m(a1) m(a2) m(a3) m(a4) m(a5) m(a6) m(a7) m(a8) m(a9) m(a10) m(a11) m(a12) m(a13) m(a14) \
  m(a15) m(a16) m(a17) m(a18) m(a19) m(a20) m(a21) m(a22) m(a23) m(a24) m(a25) m(a26) m(a27) \
  m(a28) m(a29) m(a30) m(a31) m(a32) m(a33) m(a34) m(a35) m(a36) m(a37) m(a38) m(a39) m(a40) \
  m(a41) m(a42) m(a43) m(a44) m(a45) m(a46) m(a47) m(a48) m(a49) m(a50) m(a51) m(a52) m(a53) \
  m(a54) m(a55) m(a56) m(a57) m(a58) m(a59) m(a60) m(a61) m(a62) m(a63) m(a64)
