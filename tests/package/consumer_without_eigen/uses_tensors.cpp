// Must not compile on a machine without Eigen: picklejar/tensors.hpp says what to install.
#include <picklejar/tensors.hpp>

int main() { return 0; }
