// loader plays Godot's part for one build of the library, above all for the
// targets no Godot here can run (32-bit Linux, Windows under Wine): it loads
// the library, calls its entry symbol with a get_proc_address of stand-ins
// for the interface functions, runs initialize at every level and
// deinitialize in reverse, and prints what the library did:
//
//   CLASS <name> <parent> <methods> <signals>   a class registered
//   DEFAULT_EXTENSION <class>                   set_default_extension's argument
//   EDITOR_HELP <documents>
//   UNREGISTERED <name>
//   ERROR: / WARNING:                           the library's error prints
//   MISSING <function>                          a name it asked for and got NULL
//   LOADER FAIL <why>                           an ABI fault the stand-ins saw
//
// and exits 0 if the entry symbol succeeded and no fault was seen. The
// stand-ins know no engine: a StringName is one pointer to interned text, a
// String one pointer to a heap copy, which is how the library must treat them
// (opaque, pointer-sized on every target). platforms_test.go reads the output.
//
// Usage: loader LIBRARY
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#ifdef _WIN32
#define WIN32_LEAN_AND_MEAN
#include <windows.h>
#else
#include <dlfcn.h>
#endif
#include "gdextension_webrtc.h"

#define VARIANT_SIZE 24 // in single-precision builds, 32-bit and 64-bit alike

static int faults;
static void fail(const char *format, ...) {
	va_list ap;
	va_start(ap, format);
	printf("LOADER FAIL ");
	vprintf(format, ap);
	printf("\n");
	va_end(ap);
	faults++;
}

static char library_token; // the GDExtensionClassLibraryPtr handed to the library
#define LIBRARY ((GDExtensionClassLibraryPtr)&library_token)

static const char *names[4096];
static int name_count;

static const char *intern(const char *s, size_t len) {
	for (int i = 0; i < name_count; i++) {
		if (strlen(names[i]) == len && memcmp(names[i], s, len) == 0) return names[i];
	}
	char *copy = malloc(len + 1);
	memcpy(copy, s, len);
	copy[len] = 0;
	if (name_count < 4096) names[name_count++] = copy;
	return copy;
}

// name returns the text of the StringName at p, or NULL if p is not one.
static const char *name(const void *p) {
	if (p == NULL) return NULL;
	const char *s = *(const char *const *)p;
	for (int i = 0; i < name_count; i++) {
		if (names[i] == s) return s;
	}
	return NULL;
}

static const char *checked_name(const void *p, const char *what) {
	const char *s = name(p);
	if (s == NULL) fail("%s is not a StringName", what);
	return s ? s : "?";
}

struct class_record {
	const char *name, *parent;
	int methods, signals, registered;
};
static struct class_record classes[16];
static int class_count;

static struct class_record *find_class(const void *sn, const char *what) {
	const char *s = checked_name(sn, what);
	for (int i = 0; i < class_count; i++) {
		if (classes[i].name == s && classes[i].registered) return &classes[i];
	}
	fail("%s: class %s is not registered", what, s);
	return NULL;
}

static void nop(void) {}

static void get_godot_version(GDExtensionGodotVersion *v) {
	v->major = 4, v->minor = 6, v->patch = 3;
	v->string = "Godot Engine v4.6.3.stable.loader";
}

typedef struct {
	uint32_t major, minor, patch, hex;
	const char *status, *build, *hash;
	uint64_t timestamp;
	const char *string;
} version2;

static void get_godot_version2(version2 *v) {
	memset(v, 0, sizeof(*v));
	v->major = 4, v->minor = 6, v->patch = 3, v->hex = 0x040603;
	v->status = "stable", v->build = "loader", v->hash = "";
	v->string = "Godot Engine v4.6.3.stable.loader";
}

static void print_error(const char *description, const char *message, const char *function, const char *file, int32_t line, GDExtensionBool notify) {
	(void)message, (void)notify;
	printf("ERROR: %s\n   at: %s (%s:%d)\n", description, function, file, (int)line);
}

static void print_warning(const char *description, const char *message, const char *function, const char *file, int32_t line, GDExtensionBool notify) {
	(void)message, (void)notify;
	printf("WARNING: %s\n   at: %s (%s:%d)\n", description, function, file, (int)line);
}

static void variant_new_copy(void *dst, const void *src) { memcpy(dst, src, VARIANT_SIZE); }
static void variant_new_nil(void *dst) { memset(dst, 0, VARIANT_SIZE); }
static GDExtensionVariantType variant_get_type(const void *v) { return (GDExtensionVariantType) * (const int32_t *)v; }

static void variant_get(const void *self, const void *key, void *ret, GDExtensionBool *valid) {
	(void)self, (void)key;
	variant_new_nil(ret);
	*valid = 0;
}

static GDExtensionBool variant_iter_init(const void *self, void *iter, GDExtensionBool *valid) {
	(void)self, (void)iter;
	*valid = 0;
	return 0;
}

static void variant_iter_get(const void *self, void *iter, void *ret, GDExtensionBool *valid) {
	(void)iter;
	variant_get(self, NULL, ret, valid);
}

static void variant_set(void *self, const void *key, const void *value, GDExtensionBool *valid) {
	(void)self, (void)key, (void)value;
	*valid = 0;
}

static void variant_call(void *self, const void *method, const void *const *args, GDExtensionInt argc, void *ret, GDExtensionCallError *error) {
	(void)self, (void)method, (void)args, (void)argc;
	variant_new_nil(ret);
	error->error = GDEXTENSION_CALL_ERROR_INVALID_METHOD;
}

static char *copy_text(const char *s, size_t len) {
	char *copy = malloc(len + 1);
	memcpy(copy, s, len);
	copy[len] = 0;
	return copy;
}

static GDExtensionInt string_new(void *dst, const char *s, GDExtensionInt len) {
	*(char **)dst = copy_text(s, len < 0 ? strlen(s) : (size_t)len);
	return 0;
}

static GDExtensionInt string_to_utf8(const void *str, char *buf, GDExtensionInt max) {
	const char *s = *(char *const *)str;
	GDExtensionInt n = s ? (GDExtensionInt)strlen(s) : 0;
	if (buf != NULL && n > 0) memcpy(buf, s, (size_t)(n < max ? n : max));
	return n;
}

static void string_name_new(void *dst, const char *s, GDExtensionInt len) {
	*(const char **)dst = intern(s, len < 0 ? strlen(s) : (size_t)len);
}

static void string_default(void *dst, const void *const *args) {
	(void)args;
	*(char **)dst = NULL;
}

static void string_from_string_name(void *dst, const void *const *args) {
	const char *s = checked_name(args[0], "String(StringName)'s argument");
	*(char **)dst = copy_text(s, strlen(s));
}

static void string_destroy(void *p) { free(*(char **)p); }

static GDExtensionPtrConstructor ptr_constructor(GDExtensionVariantType type, int32_t index) {
	if (type == GDEXTENSION_VARIANT_TYPE_STRING && index == 0) return string_default;
	if (type == GDEXTENSION_VARIANT_TYPE_STRING && index == 2) return string_from_string_name;
	return (GDExtensionPtrConstructor)nop;
}

static GDExtensionPtrDestructor ptr_destructor(GDExtensionVariantType type) {
	return type == GDEXTENSION_VARIANT_TYPE_STRING ? string_destroy : (GDExtensionPtrDestructor)nop;
}

static void *type_converter(GDExtensionVariantType type) {
	(void)type;
	return (void *)nop;
}

static char set_default_extension_bind, other_bind;
static const char *default_extension;

static const void *get_method_bind(const void *class_name, const void *method, GDExtensionInt hash) {
	(void)hash;
	const char *c = checked_name(class_name, "get_method_bind's class"), *m = checked_name(method, "get_method_bind's method");
	if (strcmp(c, "WebRTCPeerConnection") == 0 && strcmp(m, "set_default_extension") == 0) return &set_default_extension_bind;
	return &other_bind;
}

static void method_bind_ptrcall(const void *bind, void *object, const void *const *args, void *ret) {
	(void)object, (void)ret;
	if (bind == &set_default_extension_bind) default_extension = checked_name(args[0], "set_default_extension's argument");
}

static void method_bind_call(const void *bind, void *object, const void *const *args, GDExtensionInt argc, void *ret, GDExtensionCallError *error) {
	(void)bind, (void)object, (void)args, (void)argc;
	variant_new_nil(ret);
	error->error = GDEXTENSION_CALL_OK;
}

static void *construct_object(const void *class_name) {
	checked_name(class_name, "construct_object's class");
	return calloc(1, 64);
}

static void *ref_get_object(const void *ref) {
	(void)ref;
	return NULL;
}

static void register_class(void *library, const void *class_name, const void *parent, const void *info) {
	if (library != LIBRARY) fail("register_extension_class: wrong library pointer");
	if (info == NULL) fail("register_extension_class: no creation info");
	if (class_count == 16) return;
	struct class_record *c = &classes[class_count++];
	c->name = checked_name(class_name, "a class name");
	c->parent = checked_name(parent, "a parent class name");
	c->registered = 1;
}

static void unregister_class(void *library, const void *class_name) {
	if (library != LIBRARY) fail("unregister_extension_class: wrong library pointer");
	struct class_record *c = find_class(class_name, "unregister_extension_class");
	if (c == NULL) return;
	c->registered = 0;
	printf("UNREGISTERED %s\n", c->name);
}

// check_property checks the StringNames of a method's or signal's argument or
// result: its layout is what differs between 32-bit and 64-bit targets.
static void check_property(const char *member, const char *what, int i, const GDExtensionPropertyInfo *p) {
	if (name(p->name) == NULL) fail("%s: the name of %s %d is not a StringName", member, what, i);
	if (name(p->class_name) == NULL) fail("%s: the class name of %s %d is not a StringName", member, what, i);
}

static void register_method(void *library, const void *class_name, const GDExtensionClassMethodInfo *info) {
	if (library != LIBRARY) fail("register_extension_class_method: wrong library pointer");
	struct class_record *c = find_class(class_name, "register_extension_class_method");
	const char *m = checked_name(info->name, "a method name");
	if (info->call_func == NULL || info->ptrcall_func == NULL) fail("method %s: no call or ptrcall function", m);
	if (info->has_return_value) {
		if (info->return_value_info == NULL) fail("method %s: a result without its info", m);
		else check_property(m, "result", 0, info->return_value_info);
	}
	if (info->argument_count > 0 && (info->arguments_info == NULL || info->arguments_metadata == NULL)) {
		fail("method %s: %u arguments without their info", m, (unsigned)info->argument_count);
	} else {
		for (uint32_t i = 0; i < info->argument_count; i++) check_property(m, "argument", (int)i, &info->arguments_info[i]);
	}
	if (info->default_argument_count > info->argument_count) fail("method %s: more defaults than arguments", m);
	for (uint32_t i = 0; i < info->default_argument_count; i++) {
		if (info->default_arguments == NULL || info->default_arguments[i] == NULL) fail("method %s: default %u is missing", m, (unsigned)i);
	}
	if (c != NULL) c->methods++;
}

static void register_signal(void *library, const void *class_name, const void *signal, const GDExtensionPropertyInfo *args, GDExtensionInt argc) {
	if (library != LIBRARY) fail("register_extension_class_signal: wrong library pointer");
	struct class_record *c = find_class(class_name, "register_extension_class_signal");
	const char *s = checked_name(signal, "a signal name");
	for (GDExtensionInt i = 0; i < argc; i++) check_property(s, "argument", (int)i, &args[i]);
	if (c != NULL) c->signals++;
}

// Interface functions the library looks up but calls only for a game's
// voice, never during initialisation.
static void *global_get_singleton(const void *singleton) {
	checked_name(singleton, "global_get_singleton's name");
	return NULL;
}

static void *packed_vector2_array_index(void *self, GDExtensionInt index) {
	(void)self, (void)index;
	fail("packed_vector2_array_operator_index called during initialisation");
	return NULL;
}

static int help_documents;

static void editor_help_load_xml(const char *data, GDExtensionInt size) {
	static const char tag[] = "<class ";
	int found = 0;
	for (GDExtensionInt i = 0; i + (GDExtensionInt)sizeof(tag) - 1 <= size && !found; i++) {
		found = memcmp(data + i, tag, sizeof(tag) - 1) == 0;
	}
	if (!found) fail("editor_help_load_xml: no <class> element in %d bytes", (int)size);
	help_documents++;
}

static const struct {
	const char *name;
	void *function;
} functions[] = {
	{"get_godot_version", (void *)get_godot_version},
	{"get_godot_version2", (void *)get_godot_version2},
	{"print_error_with_message", (void *)print_error},
	{"print_warning_with_message", (void *)print_warning},
	{"variant_new_copy", (void *)variant_new_copy},
	{"variant_new_nil", (void *)variant_new_nil},
	{"variant_destroy", (void *)nop},
	{"variant_get", (void *)variant_get},
	{"variant_set", (void *)variant_set},
	{"variant_call", (void *)variant_call},
	{"variant_iter_init", (void *)variant_iter_init},
	{"variant_iter_next", (void *)variant_iter_init},
	{"variant_iter_get", (void *)variant_iter_get},
	{"variant_get_type", (void *)variant_get_type},
	{"get_variant_from_type_constructor", (void *)type_converter},
	{"get_variant_to_type_constructor", (void *)type_converter},
	{"variant_get_ptr_constructor", (void *)ptr_constructor},
	{"variant_get_ptr_destructor", (void *)ptr_destructor},
	{"string_new_with_utf8_chars_and_len2", (void *)string_new},
	{"string_to_utf8_chars", (void *)string_to_utf8},
	{"string_name_new_with_utf8_chars_and_len", (void *)string_name_new},
	{"object_method_bind_call", (void *)method_bind_call},
	{"object_method_bind_ptrcall", (void *)method_bind_ptrcall},
	{"object_set_instance", (void *)nop},
	{"ref_get_object", (void *)ref_get_object},
	{"ref_set_object", (void *)nop},
	{"classdb_construct_object2", (void *)construct_object},
	{"classdb_get_method_bind", (void *)get_method_bind},
	{"classdb_register_extension_class5", (void *)register_class},
	{"classdb_unregister_extension_class", (void *)unregister_class},
	{"classdb_register_extension_class_method", (void *)register_method},
	{"classdb_register_extension_class_signal", (void *)register_signal},
	{"editor_help_load_xml_from_utf8_chars_and_len", (void *)editor_help_load_xml},
	{"global_get_singleton", (void *)global_get_singleton},
	{"packed_vector2_array_operator_index", (void *)packed_vector2_array_index},
	{"packed_vector2_array_operator_index_const", (void *)packed_vector2_array_index},
};

static GDExtensionInterfaceFunctionPtr get_proc_address(const char *function) {
	for (size_t i = 0; i < sizeof(functions) / sizeof(functions[0]); i++) {
		if (strcmp(functions[i].name, function) == 0) return (GDExtensionInterfaceFunctionPtr)functions[i].function;
	}
	printf("MISSING %s\n", function);
	return NULL;
}

int main(int argc, char **argv) {
	setvbuf(stdout, NULL, _IONBF, 0);
	if (argc != 2) {
		fprintf(stderr, "usage: loader LIBRARY\n");
		return 2;
	}
#ifdef _WIN32
	HMODULE library = LoadLibraryA(argv[1]);
	void *entry = library ? (void *)GetProcAddress(library, "webrtc_go_init") : NULL;
	if (library == NULL) printf("LOADER FAIL LoadLibrary: error %lu\n", GetLastError());
#else
	void *library = dlopen(argv[1], RTLD_NOW | RTLD_LOCAL);
	void *entry = library ? dlsym(library, "webrtc_go_init") : NULL;
	if (library == NULL) printf("LOADER FAIL dlopen: %s\n", dlerror());
#endif
	if (entry == NULL) {
		printf("LOADER FAIL no entry symbol webrtc_go_init\n");
		return 1;
	}
	GDExtensionInitialization init;
	memset(&init, 0, sizeof(init));
	if (!((GDExtensionInitializationFunction)entry)(get_proc_address, LIBRARY, &init)) {
		printf("LOADER FAIL webrtc_go_init returned false\n");
		return 1;
	}
	if (init.initialize == NULL || init.deinitialize == NULL) {
		printf("LOADER FAIL no initialize or deinitialize callback\n");
		return 1;
	}
	printf("MINIMUM_LEVEL %d\n", (int)init.minimum_initialization_level);
	for (int level = GDEXTENSION_INITIALIZATION_CORE; level < GDEXTENSION_MAX_INITIALIZATION_LEVEL; level++) {
		init.initialize(init.userdata, (GDExtensionInitializationLevel)level);
	}
	for (int i = 0; i < class_count; i++) {
		printf("CLASS %s %s %d %d\n", classes[i].name, classes[i].parent, classes[i].methods, classes[i].signals);
	}
	printf("DEFAULT_EXTENSION %s\n", default_extension ? default_extension : "(none)");
	printf("EDITOR_HELP %d\n", help_documents);
	for (int level = GDEXTENSION_MAX_INITIALIZATION_LEVEL - 1; level >= GDEXTENSION_INITIALIZATION_CORE; level--) {
		init.deinitialize(init.userdata, (GDExtensionInitializationLevel)level);
	}
	// The library is never unloaded: a Go runtime cannot be.
	printf("LOADER DONE %d faults\n", faults);
	return faults == 0 ? 0 : 1;
}
