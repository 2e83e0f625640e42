/* What gotrace.h promises to programs and bindings that embed the library
 * beyond reading traces: one way to release what the library hands over. */
#include <gotrace.h>

#include <stdlib.h>

void gt_free(void *p) { free(p); }
