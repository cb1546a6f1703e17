// Old glibc symbol versions for the pthread functions Go's runtime calls.
//
// glibc 2.34 moved libpthread into libc and gave these functions new default
// versions (GLIBC_2.32, GLIBC_2.34). Linked as is, the library would refuse to
// load on any system older than glibc 2.34, while official Godot 4 builds run
// on far older ones. The old versions are still exported by every glibc since
// (as aliases of the same functions), so build.sh links with
// -Wl,--wrap=<name> for each function below: the runtime's calls land in the
// __wrap_ functions here, which call the oldest version of the symbol, the one
// every 64-bit glibc has (in libpthread.so.0 before 2.34, in libc.so.6 since).
// Without those linker flags (go test, go vet) these functions are unused.

#include <pthread.h>
#include <signal.h>
#include <stddef.h>

#if defined(__x86_64__)
#define GDW_GLIBC_BASE "GLIBC_2.2.5"
#elif defined(__aarch64__)
#define GDW_GLIBC_BASE "GLIBC_2.17"
#endif

#ifdef GDW_GLIBC_BASE

// Each gdw_old_<name> is an undefined reference bound to <name>@base.
#define GDW_OLD(name) __asm__(".symver gdw_old_" #name "," #name "@" GDW_GLIBC_BASE)

GDW_OLD(pthread_create);
GDW_OLD(pthread_attr_getstack);
GDW_OLD(pthread_attr_getstacksize);
GDW_OLD(pthread_getattr_np);
GDW_OLD(pthread_key_create);
GDW_OLD(pthread_setspecific);
GDW_OLD(pthread_sigmask);

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
