// Must not compile where Eigen is not found: picklejar/eigen.hpp says what to install.
#include <picklejar/eigen.hpp>

int main() { return 0; }
