// cereal's value tests through picklejar (cereal_suite.hpp): sequences, adapters, associative
// containers.
#include "cereal_suite.hpp"

namespace {

using namespace cereal_suite;

TEST(CerealSuite, Sequences) {
  check_value<std::vector<int>>("vector<int>", [](int s) { return std::vector<int>(static_cast<std::size_t>(s), s); });
  check_value<std::vector<bool>>("vector<bool>", [](int s) { return std::vector<bool>{true, s % 2 == 0, false}; });
  check_value<std::vector<MemberSerialize>>("vector<struct>", [](int s) { return std::vector<MemberSerialize>{{s, text(s)}}; });
  check_value<std::deque<double>>("deque", [](int s) { return std::deque<double>{s * 0.1, -1.5}; });
  check_value<std::list<std::string>>("list", [](int s) { return std::list<std::string>{text(s), "b"}; });
  check_value<std::forward_list<int>>("forward_list", [](int s) { return std::forward_list<int>{s, 2, 3}; });
}

TEST(CerealSuite, Adapters) {
  check_value<std::queue<int>>("queue", [](int s) { std::queue<int> q; q.push(s); q.push(2); return q; });
  check_value<std::stack<int>>("stack", [](int s) { std::stack<int> q; q.push(s); q.push(2); return q; });
}

TEST(CerealSuite, OrderedAssociative) {
  check_value<std::map<std::string, int>>("map", [](int s) { return std::map<std::string, int>{{"a", s}, {"b", 2}}; });
  check_value<std::multimap<int, std::string>>("multimap with equal keys", [](int s) {
    return std::multimap<int, std::string>{{1, "first"}, {1, "second"}, {1, text(s)}, {0, "zero"}};
  });
  check_value<std::set<int>>("set", [](int s) { return std::set<int>{s, -s, 100}; });
  check_value<std::multiset<Keyed, KeyLess>>("multiset with equal keys", [](int s) {
    std::multiset<Keyed, KeyLess> set;
    set.insert({1, "first"});
    set.insert({1, "second"});
    set.insert({1, text(s)});
    return set;
  });
}

TEST(CerealSuite, UnorderedAssociative) {
  check_value<std::unordered_map<int, std::string>>("unordered_map", [](int s) { return std::unordered_map<int, std::string>{{s, "a"}, {2, "b"}}; });
  check_value<std::unordered_multimap<int, int>>("unordered_multimap", [](int s) { return std::unordered_multimap<int, int>{{1, s}, {1, 2}}; });
  check_value<std::unordered_set<std::string>>("unordered_set", [](int s) { return std::unordered_set<std::string>{text(s), "x"}; });
  check_value<std::unordered_multiset<int>>("unordered_multiset", [](int s) { return std::unordered_multiset<int>{s, s, 3}; });
}

}  // namespace
