// headers.link.picklejar/save_load.hpp: saving and loading a class declared with PICKLEJAR_FIELDS
// needs nothing but this header.
struct Point {
  int x = 0;
  double y = 0;
  PICKLEJAR_FIELDS(x, y)
};

int main() {
  const Point back = picklejar::loads<Point>(picklejar::dumps(Point{3, 2.5}));
  return back.x == 3 && back.y == 2.5 ? 0 : 1;
}
