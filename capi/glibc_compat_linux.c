// Old glibc symbol versions for the pthread functions Go's runtime calls.
//
// glibc 2.34 moved libpthread into libc and gave these functions new default
// versions (GLIBC_2.32, GLIBC_2.34). Linked as is, the library would refuse to
// load on any system older than glibc 2.34, while official Godot 4 builds run
// on far older ones. The old versions are still exported by every glibc since
// (as aliases of the same functions), so build.sh links with
// -Wl,--wrap=<name> for each function below: the runtime's calls land in the
// __wrap_ functions here, which call the oldest version of the symbol that
// behaves as today's (in libpthread.so.0 before 2.34, in libc.so.6 since).
// On 64-bit x86, 64-bit Arm and 32-bit Arm that is the architecture's first
// glibc version (GLIBC_2.2.5, GLIBC_2.17, GLIBC_2.4). 32-bit x86 is older than
// some of these functions, and its pthread_create@GLIBC_2.0 predates today's
// thread attributes, so there each function names its own version.
// Without those linker flags (go test, go vet) these functions are unused.

#include <pthread.h>
#include <signal.h>
#include <stddef.h>

#if defined(__x86_64__)
#define GDW_V_BASE "GLIBC_2.2.5"
#elif defined(__aarch64__)
#define GDW_V_BASE "GLIBC_2.17"
#elif defined(__arm__)
#define GDW_V_BASE "GLIBC_2.4"
#elif defined(__i386__)
#define GDW_V_BASE "GLIBC_2.0"
#define GDW_V_CREATE "GLIBC_2.1"
#define GDW_V_GETSTACK "GLIBC_2.2"
#define GDW_V_GETSTACKSIZE "GLIBC_2.1"
#define GDW_V_GETATTR "GLIBC_2.2.3"
#endif

#ifdef GDW_V_BASE
#ifndef GDW_V_CREATE
#define GDW_V_CREATE GDW_V_BASE
#define GDW_V_GETSTACK GDW_V_BASE
#define GDW_V_GETSTACKSIZE GDW_V_BASE
#define GDW_V_GETATTR GDW_V_BASE
#endif

// Each gdw_old_<name> is an undefined reference bound to <name>@<version>.
#define GDW_OLD(name, version) __asm__(".symver gdw_old_" #name "," #name "@" version)

GDW_OLD(pthread_create, GDW_V_CREATE);
GDW_OLD(pthread_attr_getstack, GDW_V_GETSTACK);
GDW_OLD(pthread_attr_getstacksize, GDW_V_GETSTACKSIZE);
GDW_OLD(pthread_getattr_np, GDW_V_GETATTR);
GDW_OLD(pthread_key_create, GDW_V_BASE);
GDW_OLD(pthread_setspecific, GDW_V_BASE);
GDW_OLD(pthread_sigmask, GDW_V_BASE);

int gdw_old_pthread_create(pthread_t *, const pthread_attr_t *, void *(*)(void *), void *);
int gdw_old_pthread_attr_getstack(const pthread_attr_t *, void **, size_t *);
int gdw_old_pthread_attr_getstacksize(const pthread_attr_t *, size_t *);
int gdw_old_pthread_getattr_np(pthread_t, pthread_attr_t *);
int gdw_old_pthread_key_create(pthread_key_t *, void (*)(void *));
int gdw_old_pthread_setspecific(pthread_key_t, const void *);
int gdw_old_pthread_sigmask(int, const sigset_t *, sigset_t *);

int __wrap_pthread_create(pthread_t *thread, const pthread_attr_t *attr, void *(*start)(void *), void *arg) {
	return gdw_old_pthread_create(thread, attr, start, arg);
}

int __wrap_pthread_attr_getstack(const pthread_attr_t *attr, void **addr, size_t *size) {
	return gdw_old_pthread_attr_getstack(attr, addr, size);
}

int __wrap_pthread_attr_getstacksize(const pthread_attr_t *attr, size_t *size) {
	return gdw_old_pthread_attr_getstacksize(attr, size);
}

int __wrap_pthread_getattr_np(pthread_t thread, pthread_attr_t *attr) {
	return gdw_old_pthread_getattr_np(thread, attr);
}

int __wrap_pthread_key_create(pthread_key_t *key, void (*destructor)(void *)) {
	return gdw_old_pthread_key_create(key, destructor);
}

int __wrap_pthread_setspecific(pthread_key_t key, const void *value) {
	return gdw_old_pthread_setspecific(key, value);
}

int __wrap_pthread_sigmask(int how, const sigset_t *set, sigset_t *old) {
	return gdw_old_pthread_sigmask(how, set, old);
}

#endif
