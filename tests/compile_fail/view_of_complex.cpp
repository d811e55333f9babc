// expect: picklejar: view<T> needs T to be a tensor element type: double, float, Eigen::half, Eigen::bfloat16, std::int64_t, std::int32_t, std::int16_t, std::int8_t, std::uint8_t or bool
// max-lines: 30
// A view of complex numbers: no tensor file holds them.
#include <picklejar/tensors.hpp>

#include <complex>

#ifdef PICKLEJAR_TRIGGER
inline void view_it(const picklejar::tensor_file& file) { (void)file.view<std::complex<float>>("w"); }
#endif
