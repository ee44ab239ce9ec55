#include <fcgiapp.h>
#include <fcgi_config.h>
#include <malloc.h>
