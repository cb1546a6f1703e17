#include <string.h>
#include "capi.h"
#include "_cgo_export.h"

gdw_api gdw;

static GDExtensionInterfaceGetProcAddress godot_get_proc_address;
static const char *const *hidden_functions;

// lookup is Godot's get_proc_address, except that the hidden functions (those
// newer than the Godot the library acts as) are missing.
static void *lookup(const char *name) {
	for (const char *const *h = hidden_functions; h != NULL && *h != NULL; h++) {
		if (strcmp(*h, name) == 0) return NULL;
	}
	return (void *)godot_get_proc_address(name);
}

// try_load looks name up; if Godot has it, it records name in *chosen.
static void *try_load(const char *name, const char **chosen) {
	void *fn = lookup(name);
	if (fn != NULL) *chosen = name;
	return fn;
}

#define LOAD(field, name)                                                            \
	do {                                                                             \
		gdw.field = lookup(name);                                                    \
		if (gdw.field == NULL) return name;                                          \
	} while (0)

static const char *load_all(void);

const char *gdw_load(GDExtensionInterfaceGetProcAddress get_proc_address, GDExtensionClassLibraryPtr library, const char *const *hidden) {
	memset(&gdw, 0, sizeof(gdw));
	gdw.library = library;
	godot_get_proc_address = get_proc_address;
	hidden_functions = hidden;
	const char *missing = load_all();
	hidden_functions = NULL; // the caller's memory
	return missing;
}

static const char *load_all(void) {
	// First what the error message for a missing function needs.
	gdw.get_godot_version2 = try_load("get_godot_version2", &gdw.get_godot_version_name);
	if (gdw.get_godot_version2 == NULL) gdw.get_godot_version = try_load("get_godot_version", &gdw.get_godot_version_name);
	if (gdw.get_godot_version_name == NULL) return "get_godot_version";
	LOAD(print_error_with_message, "print_error_with_message");
	LOAD(print_warning_with_message, "print_warning_with_message");

	// Godot 4.7 adds classdb_register_extension_class6, which only makes sense
	// with its classdb_construct_object3 (a new RefCounted comes back holding
	// one reference, so every object this library creates would change hands
	// differently). Nothing here can run 4.7 to prove that change, and 4.7's
	// standard builds still provide class5 and construct_object2, so 4.7 gets
	// the 4.5 path.
	gdw.register_class = try_load("classdb_register_extension_class5", &gdw.register_class_name);
	if (gdw.register_class == NULL) gdw.register_class = try_load("classdb_register_extension_class4", &gdw.register_class_name);
	if (gdw.register_class == NULL) gdw.register_class3 = try_load("classdb_register_extension_class3", &gdw.register_class_name);
	if (gdw.register_class_name == NULL) return "classdb_register_extension_class3";
	gdw.classdb_construct_object2 = try_load("classdb_construct_object2", &gdw.construct_object_name);
	if (gdw.classdb_construct_object2 == NULL) gdw.classdb_construct_object = try_load("classdb_construct_object", &gdw.construct_object_name);
	if (gdw.construct_object_name == NULL) return "classdb_construct_object";

	LOAD(variant_new_copy, "variant_new_copy");
	LOAD(variant_new_nil, "variant_new_nil");
	LOAD(variant_destroy, "variant_destroy");
	LOAD(variant_get, "variant_get");
	LOAD(variant_iter_init, "variant_iter_init");
	LOAD(variant_iter_next, "variant_iter_next");
	LOAD(variant_iter_get, "variant_iter_get");
	LOAD(variant_get_type, "variant_get_type");
	LOAD(get_variant_from_type_constructor, "get_variant_from_type_constructor");
	LOAD(get_variant_to_type_constructor, "get_variant_to_type_constructor");
	LOAD(variant_get_ptr_constructor, "variant_get_ptr_constructor");
	LOAD(variant_get_ptr_destructor, "variant_get_ptr_destructor");
	LOAD(string_new_with_utf8_chars_and_len2, "string_new_with_utf8_chars_and_len2");
	LOAD(string_to_utf8_chars, "string_to_utf8_chars");
	LOAD(string_name_new_with_utf8_chars_and_len, "string_name_new_with_utf8_chars_and_len");
	LOAD(object_method_bind_call, "object_method_bind_call");
	LOAD(object_method_bind_ptrcall, "object_method_bind_ptrcall");
	LOAD(object_set_instance, "object_set_instance");
	LOAD(ref_set_object, "ref_set_object");
	LOAD(classdb_get_method_bind, "classdb_get_method_bind");
	LOAD(classdb_unregister_extension_class, "classdb_unregister_extension_class");
	LOAD(classdb_register_extension_class_method, "classdb_register_extension_class_method");
	LOAD(classdb_register_extension_class_signal, "classdb_register_extension_class_signal");
	LOAD(variant_set, "variant_set");
	LOAD(variant_call, "variant_call");
	LOAD(global_get_singleton, "global_get_singleton");
	LOAD(packed_vector2_array_operator_index, "packed_vector2_array_operator_index");
	LOAD(packed_vector2_array_operator_index_const, "packed_vector2_array_operator_index_const");
	gdw.editor_help_load_xml_from_utf8_chars_and_len = lookup("editor_help_load_xml_from_utf8_chars_and_len");
	for (int t = 1; t < GDEXTENSION_VARIANT_TYPE_VARIANT_MAX; t++) {
		gdw.variant_from[t] = gdw.get_variant_from_type_constructor((GDExtensionVariantType)t);
		gdw.variant_to[t] = gdw.get_variant_to_type_constructor((GDExtensionVariantType)t);
		gdw.destructor[t] = gdw.variant_get_ptr_destructor((GDExtensionVariantType)t);
		gdw.default_constructor[t] = gdw.variant_get_ptr_constructor((GDExtensionVariantType)t, 0);
	}
	// String's constructor #2 takes a StringName (extension_api.json).
	gdw.string_from_string_name = gdw.variant_get_ptr_constructor(GDEXTENSION_VARIANT_TYPE_STRING, 2);
	if (gdw.string_from_string_name == NULL) return "String(StringName) constructor";
	return NULL;
}

int gdw_godot_version(uint32_t *major, uint32_t *minor, uint32_t *patch) {
	if (gdw.get_godot_version2 != NULL) {
		GDExtensionGodotVersion2 v;
		memset(&v, 0, sizeof(v));
		gdw.get_godot_version2(&v);
		*major = v.major, *minor = v.minor, *patch = v.patch;
		return 1;
	}
	if (gdw.get_godot_version != NULL) {
		GDExtensionGodotVersion v;
		memset(&v, 0, sizeof(v));
		gdw.get_godot_version(&v);
		*major = v.major, *minor = v.minor, *patch = v.patch;
		return 1;
	}
	return 0;
}

// Adapters between Godot's callback signatures and the exported Go functions,
// which take integer handles instead of void pointers.

static void on_initialize(void *userdata, GDExtensionInitializationLevel level) {
	(void)userdata;
	goInitialize((int)level);
}

static void on_deinitialize(void *userdata, GDExtensionInitializationLevel level) {
	(void)userdata;
	goDeinitialize((int)level);
}

static GDExtensionObjectPtr on_create_instance(void *class_userdata, GDExtensionBool notify) {
	return goCreateInstance((uintptr_t)class_userdata, notify);
}

// Godot 4.3 has no notify_postinitialize: it wants a complete object, which
// classdb_construct_object (all 4.3 has) makes.
static GDExtensionObjectPtr on_create_instance_4_3(void *class_userdata) {
	return goCreateInstance((uintptr_t)class_userdata, 1);
}

gdw_instance *gdw_new_instance(uintptr_t handle) {
	gdw_instance *in = calloc(1, sizeof(gdw_instance));
	if (in != NULL) in->handle = handle;
	return in;
}

// The Go side stops writing the slots before goFreeInstance returns.
static void on_free_instance(void *class_userdata, GDExtensionClassInstancePtr instance) {
	gdw_instance *in = instance;
	goFreeInstance((uintptr_t)class_userdata, in->handle);
	free(in);
}

static void *on_get_virtual_call_data(void *class_userdata, GDExtensionConstStringNamePtr name, uint32_t hash) {
	return (void *)goGetVirtualCallData((uintptr_t)class_userdata, (void *)name, hash, 1);
}

// Godot 4.3 asks for a virtual by name only.
static void *on_get_virtual_call_data_4_3(void *class_userdata, GDExtensionConstStringNamePtr name) {
	return (void *)goGetVirtualCallData((uintptr_t)class_userdata, (void *)name, 0, 0);
}

static void on_call_virtual(GDExtensionClassInstancePtr instance, GDExtensionConstStringNamePtr name, void *data, const GDExtensionConstTypePtr *args, GDExtensionTypePtr ret) {
	(void)name;
	gdw_instance *in = instance;
	uintptr_t d = (uintptr_t)data;
	int64_t *slot = &in->slots[(d >> GDW_SLOT_SHIFT) % GDW_SLOTS];
	switch ((d >> GDW_FAST_SHIFT) & 0xff) {
	case GDW_FAST_SLOT:
		*(int64_t *)ret = __atomic_load_n(slot, __ATOMIC_ACQUIRE);
		return;
	case GDW_FAST_SLOT_UNLESS_ZERO: {
		int64_t v = __atomic_load_n(slot, __ATOMIC_ACQUIRE);
		if (v == 0) break;
		*(int64_t *)ret = v;
		return;
	}
	case GDW_FAST_IDLE:
		if (__atomic_load_n(slot, __ATOMIC_ACQUIRE) != 0) break;
		/* fallthrough */
	case GDW_FAST_OK:
		*(int64_t *)ret = 0; // OK
		return;
	}
	goCallVirtual(in->handle, d & GDW_INDEX_MASK, (void *)args, ret);
}

// Variant calls pass Variants, pointer calls typed values (argc is then
// the method's own count, passed as -1); Go checks and converts them.
static void on_method_call(void *method_userdata, GDExtensionClassInstancePtr instance, const GDExtensionConstVariantPtr *args, GDExtensionInt argc, GDExtensionVariantPtr ret, GDExtensionCallError *err) {
	err->error = GDEXTENSION_CALL_OK;
	err->argument = 0;
	err->expected = 0;
	goCallMethod((uintptr_t)method_userdata, ((gdw_instance *)instance)->handle, (void *)args, argc, ret, err);
}

static void on_method_ptrcall(void *method_userdata, GDExtensionClassInstancePtr instance, const GDExtensionConstTypePtr *args, GDExtensionTypePtr ret) {
	goCallMethod((uintptr_t)method_userdata, ((gdw_instance *)instance)->handle, (void *)args, -1, ret, NULL);
}

// Godot's PropertyUsageFlags: PROPERTY_USAGE_DEFAULT, and the flag that says
// an int's class_name names an enum.
#define GDW_PROPERTY_USAGE_DEFAULT 6
#define GDW_PROPERTY_USAGE_CLASS_IS_ENUM 65536

static GDExtensionPropertyInfo property(gdw_prop p, const void *empty_str) {
	GDExtensionPropertyInfo info;
	info.type = p.type;
	info.name = (GDExtensionStringNamePtr)p.name;
	info.class_name = (GDExtensionStringNamePtr)p.class_name;
	info.hint = 0;
	info.hint_string = (GDExtensionStringPtr)empty_str;
	info.usage = GDW_PROPERTY_USAGE_DEFAULT | (p.is_enum ? GDW_PROPERTY_USAGE_CLASS_IS_ENUM : 0);
	return info;
}

void gdw_register_method(const void *cls, const void *name, uintptr_t method_id, int has_ret, gdw_prop ret,
	int argc, const gdw_prop *args, int default_count, void *const *defaults, const void *empty_str) {
	GDExtensionPropertyInfo ret_info = property(ret, empty_str);
	GDExtensionPropertyInfo arg_info[GDW_MAX_METHOD_ARGS];
	GDExtensionClassMethodArgumentMetadata arg_meta[GDW_MAX_METHOD_ARGS];
	if (argc > GDW_MAX_METHOD_ARGS) argc = GDW_MAX_METHOD_ARGS;
	for (int i = 0; i < argc; i++) {
		arg_info[i] = property(args[i], empty_str);
		arg_meta[i] = GDEXTENSION_METHOD_ARGUMENT_METADATA_NONE;
	}
	GDExtensionClassMethodInfo info;
	memset(&info, 0, sizeof(info));
	info.name = (GDExtensionStringNamePtr)name;
	info.method_userdata = (void *)method_id;
	info.call_func = on_method_call;
	info.ptrcall_func = on_method_ptrcall;
	info.method_flags = GDEXTENSION_METHOD_FLAGS_DEFAULT;
	info.has_return_value = has_ret != 0;
	info.return_value_info = has_ret ? &ret_info : NULL;
	info.return_value_metadata = GDEXTENSION_METHOD_ARGUMENT_METADATA_NONE;
	info.argument_count = (uint32_t)argc;
	info.arguments_info = arg_info;
	info.arguments_metadata = arg_meta;
	info.default_argument_count = (uint32_t)default_count;
	info.default_arguments = (GDExtensionVariantPtr *)defaults;
	gdw.classdb_register_extension_class_method(gdw.library, cls, &info);
}

void gdw_register_signal(const void *cls, const void *name, int argc, const gdw_prop *args, const void *empty_str) {
	GDExtensionPropertyInfo info[GDW_MAX_METHOD_ARGS];
	if (argc > GDW_MAX_METHOD_ARGS) argc = GDW_MAX_METHOD_ARGS;
	for (int i = 0; i < argc; i++) {
		info[i] = property(args[i], empty_str);
	}
	gdw.classdb_register_extension_class_signal(gdw.library, cls, name, info, argc);
}

void gdw_fill_initialization(GDExtensionInitialization *init) {
	init->minimum_initialization_level = GDEXTENSION_INITIALIZATION_SCENE;
	init->userdata = NULL;
	init->initialize = on_initialize;
	init->deinitialize = on_deinitialize;
}

void gdw_register_class(GDExtensionConstStringNamePtr name, GDExtensionConstStringNamePtr parent, uintptr_t class_id) {
	if (gdw.register_class3 != NULL) {
		GDExtensionClassCreationInfo3 info;
		memset(&info, 0, sizeof(info));
		info.is_exposed = 1;
		info.create_instance_func = on_create_instance_4_3;
		info.free_instance_func = on_free_instance;
		info.get_virtual_call_data_func = on_get_virtual_call_data_4_3;
		info.call_virtual_with_data_func = on_call_virtual;
		info.class_userdata = (void *)class_id;
		gdw.register_class3(gdw.library, name, parent, &info);
		return;
	}
	GDExtensionClassCreationInfo5 info;
	memset(&info, 0, sizeof(info));
	info.is_exposed = 1;
	info.create_instance_func = on_create_instance;
	info.free_instance_func = on_free_instance;
	info.get_virtual_call_data_func = on_get_virtual_call_data;
	info.call_virtual_with_data_func = on_call_virtual;
	info.class_userdata = (void *)class_id;
	gdw.register_class(gdw.library, name, parent, &info);
}

void gdw_call(GDExtensionMethodBindPtr mb, GDExtensionObjectPtr obj, const void *variants, int argc, void *r_ret, GDExtensionCallError *r_err) {
	const void *args[8];
	if (argc > 8) {
		r_err->error = GDEXTENSION_CALL_ERROR_TOO_MANY_ARGUMENTS;
		return;
	}
	for (int i = 0; i < argc; i++) {
		args[i] = (const char *)variants + (size_t)i * GDW_VARIANT_SIZE;
	}
	gdw.object_method_bind_call(mb, obj, args, argc, r_ret, r_err);
}
