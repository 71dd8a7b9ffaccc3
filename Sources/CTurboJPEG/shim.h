// TurboJPEG: libjpeg-turbo's high-level API. It reports every decoding error by return value
// (it keeps libjpeg's setjmp/longjmp inside C), so Swift never sees libjpeg's error_exit.
// Debian/Ubuntu package: libturbojpeg0-dev.
#include <turbojpeg.h>
