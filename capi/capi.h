// Function table and trampolines for calling Godot from Go. Go cannot call a C
// function pointer, so each pointer gets a static inline wrapper here.
#ifndef WEBRTC_GO_CAPI_H
#define WEBRTC_GO_CAPI_H

#include <stdlib.h>
#include "gdextension_webrtc.h"

// Sizes of the built-in types this library stores (64-bit, single precision builds).
#define GDW_VARIANT_SIZE 24
#define GDW_STRING_SIZE 8
#define GDW_STRING_NAME_SIZE 8

// The Godot interface functions this library calls, resolved once at load.
typedef struct {
	GDExtensionClassLibraryPtr library;
	// Where Godot has several versions of a function, the newest this Godot
	// provides is used and the others stay NULL; the *_name fields say which.
	GDExtensionInterfaceGetGodotVersion2 get_godot_version2;  // 4.5+
	GDExtensionInterfaceGetGodotVersion get_godot_version;    // before 4.5
	const char *get_godot_version_name;
	GDExtensionInterfaceClassdbRegisterExtensionClass5 register_class;  // class5 (4.5+) or class4 (4.4): same struct
	GDExtensionInterfaceClassdbRegisterExtensionClass3 register_class3; // 4.3
	const char *register_class_name;
	GDExtensionInterfaceClassdbConstructObject2 classdb_construct_object2; // 4.4+: the caller sends NOTIFICATION_POSTINITIALIZE
	GDExtensionInterfaceClassdbConstructObject classdb_construct_object;   // before 4.4: Godot sends it
	const char *construct_object_name;
	GDExtensionInterfacePrintErrorWithMessage print_error_with_message;
	GDExtensionInterfacePrintWarningWithMessage print_warning_with_message;
	GDExtensionInterfaceVariantNewCopy variant_new_copy;
	GDExtensionInterfaceVariantNewNil variant_new_nil;
	GDExtensionInterfaceVariantDestroy variant_destroy;
	GDExtensionInterfaceVariantGet variant_get;
	GDExtensionInterfaceVariantIterInit variant_iter_init;
	GDExtensionInterfaceVariantIterNext variant_iter_next;
	GDExtensionInterfaceVariantIterGet variant_iter_get;
	GDExtensionInterfaceVariantGetType variant_get_type;
	GDExtensionInterfaceGetVariantFromTypeConstructor get_variant_from_type_constructor;
	GDExtensionInterfaceGetVariantToTypeConstructor get_variant_to_type_constructor;
	GDExtensionInterfaceVariantGetPtrConstructor variant_get_ptr_constructor;
	GDExtensionInterfaceVariantGetPtrDestructor variant_get_ptr_destructor;
	GDExtensionInterfaceStringNewWithUtf8CharsAndLen2 string_new_with_utf8_chars_and_len2;
	GDExtensionInterfaceStringToUtf8Chars string_to_utf8_chars;
	GDExtensionInterfaceStringNameNewWithUtf8CharsAndLen string_name_new_with_utf8_chars_and_len;
	GDExtensionInterfaceObjectMethodBindCall object_method_bind_call;
	GDExtensionInterfaceObjectMethodBindPtrcall object_method_bind_ptrcall;
	GDExtensionInterfaceObjectSetInstance object_set_instance;
	GDExtensionInterfaceRefSetObject ref_set_object;
	GDExtensionInterfaceClassdbGetMethodBind classdb_get_method_bind;
	GDExtensionInterfaceClassdbUnregisterExtensionClass classdb_unregister_extension_class;
	GDExtensionInterfaceClassdbRegisterExtensionClassMethod classdb_register_extension_class_method;
	GDExtensionInterfaceClassdbRegisterExtensionClassSignal classdb_register_extension_class_signal;
	GDExtensionInterfaceVariantSet variant_set;
	GDExtensionInterfaceVariantCall variant_call;
	GDExtensionInterfaceGlobalGetSingleton global_get_singleton;
	GDExtensionInterfacePackedVector2ArrayOperatorIndex packed_vector2_array_operator_index;
	GDExtensionInterfacePackedVector2ArrayOperatorIndexConst packed_vector2_array_operator_index_const;
	// Optional: NULL outside the editor or before Godot 4.3.
	GDExtensionsInterfaceEditorHelpLoadXmlFromUtf8CharsAndLen editor_help_load_xml_from_utf8_chars_and_len;
	// Resolved per type after loading.
	GDExtensionVariantFromTypeConstructorFunc variant_from[GDEXTENSION_VARIANT_TYPE_VARIANT_MAX];
	GDExtensionTypeFromVariantConstructorFunc variant_to[GDEXTENSION_VARIANT_TYPE_VARIANT_MAX];
	GDExtensionPtrDestructor destructor[GDEXTENSION_VARIANT_TYPE_VARIANT_MAX];
	GDExtensionPtrConstructor string_from_string_name;
	GDExtensionPtrConstructor default_constructor[GDEXTENSION_VARIANT_TYPE_VARIANT_MAX];
} gdw_api;

extern gdw_api gdw;

// An extension instance as Godot holds it: the handle of its Go value, and
// slots that the Go side keeps up to date so that the virtuals Godot calls
// most (per connection and per packet, every frame) answer in C, without the
// cost of entering Go. The slots are read and written atomically.
#define GDW_SLOTS 2
typedef struct {
	uintptr_t handle;
	int64_t slots[GDW_SLOTS];
} gdw_instance;

// The call data of a virtual: the index of its Go implementation in the low
// 16 bits, how it may answer in C in bits 16-23, the slot it reads in bits
// 24-31.
#define GDW_INDEX_MASK 0xffff
#define GDW_FAST_SHIFT 16
#define GDW_SLOT_SHIFT 24
enum {
	GDW_FAST_NONE = 0,              // always Go
	GDW_FAST_SLOT = 1,              // returns the slot's value as an int
	GDW_FAST_SLOT_UNLESS_ZERO = 2,  // returns the slot's value while it is not 0, else Go
	GDW_FAST_IDLE = 3,              // returns OK while the slot is 0, else Go
	GDW_FAST_OK = 4,                // returns OK without calling Go
};

// gdw_new_instance allocates an instance for handle, its slots zero; Godot's
// free_instance callback frees it.
gdw_instance *gdw_new_instance(uintptr_t handle);

// gdw_load resolves every function in gdw, treating the functions in hidden (a
// NULL-terminated list, or NULL) as missing. It returns NULL on success or the
// name of the first function this Godot does not provide (of several versions,
// the oldest).
const char *gdw_load(GDExtensionInterfaceGetProcAddress get_proc_address, GDExtensionClassLibraryPtr library, const char *const *hidden);

// gdw_godot_version reads Godot's version; false if neither
// get_godot_version2 nor get_godot_version was found.
int gdw_godot_version(uint32_t *major, uint32_t *minor, uint32_t *patch);

// gdw_fill_initialization points Godot's initialization struct at our callbacks.
void gdw_fill_initialization(GDExtensionInitialization *init);

// gdw_register_class registers an extension class whose callbacks route to Go
// with class_id as the class user data.
void gdw_register_class(GDExtensionConstStringNamePtr name, GDExtensionConstStringNamePtr parent, uintptr_t class_id);

// gdw_prop describes a method's argument or return value: its type, its name
// and class name (StringNames; the class of an Object, or the enum an int
// holds, else empty), and whether the int is an enum.
typedef struct {
	GDExtensionVariantType type;
	const void *name;
	const void *class_name;
	int is_enum;
} gdw_prop;

// The most arguments a registered method takes.
#define GDW_MAX_METHOD_ARGS 8

// gdw_register_method registers a method with argc arguments (at most
// GDW_MAX_METHOD_ARGS), the last default_count of which have the default
// values in defaults (Variants, which Godot copies), returning a value
// described by ret unless has_ret is 0; calls route to Go with method_id.
// empty_str is an empty String for the property info fields.
void gdw_register_method(const void *cls, const void *name, uintptr_t method_id, int has_ret, gdw_prop ret,
	int argc, const gdw_prop *args, int default_count, void *const *defaults, const void *empty_str);

// gdw_register_signal registers a signal with argc arguments (at most
// GDW_MAX_METHOD_ARGS) described by args.
void gdw_register_signal(const void *cls, const void *name, int argc, const gdw_prop *args, const void *empty_str);

// gdw_call calls a (vararg) method bind with argc Variants laid out contiguously.
void gdw_call(GDExtensionMethodBindPtr mb, GDExtensionObjectPtr obj, const void *variants, int argc, void *r_ret, GDExtensionCallError *r_err);

// gdw_ptrcall1 calls a method bind with a single pointer-call argument.
static inline void gdw_ptrcall1(GDExtensionMethodBindPtr mb, GDExtensionObjectPtr obj, const void *arg0, void *r_ret) {
	const void *args[1] = {arg0};
	gdw.object_method_bind_ptrcall(mb, obj, args, r_ret);
}

// gdw_ptrcall2 calls a method bind with two pointer-call arguments.
static inline void gdw_ptrcall2(GDExtensionMethodBindPtr mb, GDExtensionObjectPtr obj, const void *arg0, const void *arg1, void *r_ret) {
	const void *args[2] = {arg0, arg1};
	gdw.object_method_bind_ptrcall(mb, obj, args, r_ret);
}

static inline int gdw_can_print(void) { return gdw.print_error_with_message != NULL && gdw.print_warning_with_message != NULL; }

static inline void gdw_print_error(const char *desc, const char *msg, const char *fn, const char *file, int32_t line) {
	gdw.print_error_with_message(desc, msg, fn, file, line, 0);
}
static inline void gdw_print_warning(const char *desc, const char *msg, const char *fn, const char *file, int32_t line) {
	gdw.print_warning_with_message(desc, msg, fn, file, line, 0);
}

static inline void gdw_string_new(void *dst, const char *s, GDExtensionInt n) { gdw.string_new_with_utf8_chars_and_len2(dst, s, n); }
static inline GDExtensionInt gdw_string_to_utf8(const void *str, char *buf, GDExtensionInt n) { return gdw.string_to_utf8_chars(str, buf, n); }
static inline void gdw_string_name_new(void *dst, const char *s, GDExtensionInt n) { gdw.string_name_new_with_utf8_chars_and_len(dst, s, n); }
static inline void gdw_string_from_string_name(void *dst, const void *sn) {
	const void *args[1] = {sn};
	gdw.string_from_string_name(dst, args);
}
// gdw_destroy runs the destructor of type t, if the type has one (int and
// float have none).
static inline void gdw_destroy(GDExtensionVariantType t, void *p) {
	if (gdw.destructor[t] != NULL) gdw.destructor[t](p);
}

static inline void gdw_variant_from(GDExtensionVariantType t, void *dst, void *src) { gdw.variant_from[t](dst, src); }
static inline void gdw_variant_to(GDExtensionVariantType t, void *dst, void *src) { gdw.variant_to[t](dst, src); }
static inline void gdw_variant_nil(void *dst) { gdw.variant_new_nil(dst); }
static inline void gdw_variant_copy(void *dst, const void *src) { gdw.variant_new_copy(dst, src); }
static inline void gdw_variant_destroy(void *v) { gdw.variant_destroy(v); }
static inline GDExtensionVariantType gdw_variant_type(const void *v) { return gdw.variant_get_type(v); }
static inline GDExtensionBool gdw_variant_get(const void *self, const void *key, void *ret) {
	GDExtensionBool valid = 0;
	gdw.variant_get(self, key, ret, &valid);
	return valid;
}
static inline GDExtensionBool gdw_iter_init(const void *self, void *iter, GDExtensionBool *valid) { return gdw.variant_iter_init(self, iter, valid); }
static inline GDExtensionBool gdw_iter_next(const void *self, void *iter, GDExtensionBool *valid) { return gdw.variant_iter_next(self, iter, valid); }
static inline void gdw_iter_get(const void *self, void *iter, void *ret, GDExtensionBool *valid) { gdw.variant_iter_get(self, iter, ret, valid); }

static inline void gdw_construct_default(GDExtensionVariantType t, void *dst) { gdw.default_constructor[t](dst, NULL); }
static inline GDExtensionBool gdw_variant_set(void *self, const void *key, const void *value) {
	GDExtensionBool valid = 0;
	gdw.variant_set(self, key, value, &valid);
	return valid;
}
static inline GDExtensionCallErrorType gdw_variant_call1(void *self, const void *method, const void *arg, void *ret) {
	GDExtensionCallError err = {GDEXTENSION_CALL_OK, 0, 0};
	const void *args[1] = {arg};
	gdw.variant_call(self, method, args, 1, ret, &err);
	return err.error;
}
static inline GDExtensionCallErrorType gdw_variant_call0(void *self, const void *method, void *ret) {
	GDExtensionCallError err = {GDEXTENSION_CALL_OK, 0, 0};
	gdw.variant_call(self, method, NULL, 0, ret, &err);
	return err.error;
}
static inline void *gdw_global_singleton(const void *name) { return gdw.global_get_singleton(name); }
static inline void *gdw_packed_vector2_index(void *self, GDExtensionInt i) { return gdw.packed_vector2_array_operator_index(self, i); }
static inline const void *gdw_packed_vector2_index_const(const void *self, GDExtensionInt i) {
	return gdw.packed_vector2_array_operator_index_const(self, i);
}
static inline GDExtensionMethodBindPtr gdw_method_bind(const void *cls, const void *method, GDExtensionInt hash) { return gdw.classdb_get_method_bind(cls, method, hash); }
static inline GDExtensionObjectPtr gdw_construct(const void *cls) {
	return gdw.classdb_construct_object2 != NULL ? gdw.classdb_construct_object2(cls) : gdw.classdb_construct_object(cls);
}
static inline void gdw_set_instance(void *obj, const void *cls, gdw_instance *instance) { gdw.object_set_instance(obj, cls, (GDExtensionClassInstancePtr)instance); }
static inline void gdw_ref_set_object(void *ref, void *obj) { gdw.ref_set_object(ref, obj); }
// gdw_editor_help_load_xml hands class reference XML to the editor's help; it
// returns 0 when this Godot has no editor help to load it into.
static inline int gdw_editor_help_load_xml(const char *data, GDExtensionInt n) {
	if (gdw.editor_help_load_xml_from_utf8_chars_and_len == NULL) return 0;
	gdw.editor_help_load_xml_from_utf8_chars_and_len(data, n);
	return 1;
}
static inline void gdw_unregister_class(const void *name) { gdw.classdb_unregister_extension_class(gdw.library, name); }

#endif
