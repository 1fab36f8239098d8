/*
 * pat_sco.c - the STIX 2.1 cyber-observable objects (section 6 of the
 * specification) as one table: each type, its properties and their value
 * kinds, with the structures inside (extensions, sections, MIME parts...).
 *
 * The checker uses it to tell an unknown type or property (a warning: custom
 * ones are legal) from a type mismatch (an error), and which regexes must
 * match bytes (binary and hex properties) rather than text.
 */
#include <stdlib.h>
#include <string.h>

#include "pattern/pattern_int.h"

#define P(n, k) {n, k, NULL, NULL}
#define S(n, k, sub) {n, k, sub, NULL}
#define R(n, k, t) {n, k, NULL, t}
#define END {NULL, 0, NULL, NULL}

/* Properties every SCO has. */
#define COMMON                                                                                               \
    P("type", K_STRING), P("id", K_STRING), P("spec_version", K_STRING), R("object_marking_refs", K_REFS, NULL), \
        P("granular_markings", K_LIST_OBJECT), P("defanged", K_BOOL)


/* ---- file ---- */
static const pat__prop ntfs_ads[] = {P("name", K_STRING), P("hashes", K_HASHES), P("size", K_INT), END};
static const pat__prop ntfs_ext[] = {P("sid", K_STRING), S("alternate_data_streams", K_LIST_OBJECT, ntfs_ads), END};
static const pat__prop raster_ext[] = {P("image_height", K_INT), P("image_width", K_INT),
                                       P("bits_per_pixel", K_INT), P("exif_tags", K_DICT), END};
static const pat__prop pdf_ext[] = {P("version", K_STRING), P("is_optimized", K_BOOL),
                                    P("document_info_dict", K_DICT), P("pdfid0", K_STRING),
                                    P("pdfid1", K_STRING), END};
static const pat__prop archive_ext[] = {R("contains_refs", K_REFS, "file directory"), P("comment", K_STRING), END};
static const pat__prop pe_optional[] = {
    P("magic_hex", K_HEX), P("major_linker_version", K_INT), P("minor_linker_version", K_INT),
    P("size_of_code", K_INT), P("size_of_initialized_data", K_INT), P("size_of_uninitialized_data", K_INT),
    P("address_of_entry_point", K_INT), P("base_of_code", K_INT), P("base_of_data", K_INT),
    P("image_base", K_INT), P("section_alignment", K_INT), P("file_alignment", K_INT),
    P("major_os_version", K_INT), P("minor_os_version", K_INT), P("major_image_version", K_INT),
    P("minor_image_version", K_INT), P("major_subsystem_version", K_INT), P("minor_subsystem_version", K_INT),
    P("win32_version_value_hex", K_HEX), P("size_of_image", K_INT), P("size_of_headers", K_INT),
    P("checksum_hex", K_HEX), P("subsystem_hex", K_HEX), P("dll_characteristics_hex", K_HEX),
    P("size_of_stack_reserve", K_INT), P("size_of_stack_commit", K_INT), P("size_of_heap_reserve", K_INT),
    P("size_of_heap_commit", K_INT), P("loader_flags_hex", K_HEX), P("number_of_rva_and_sizes", K_INT),
    P("hashes", K_HASHES), END};
static const pat__prop pe_section[] = {P("name", K_STRING), P("size", K_INT), P("entropy", K_FLOAT),
                                       P("hashes", K_HASHES), END};
static const pat__prop pe_ext[] = {
    P("pe_type", K_STRING), P("imphash", K_STRING), P("machine_hex", K_HEX), P("number_of_sections", K_INT),
    P("time_date_stamp", K_TIMESTAMP), P("pointer_to_symbol_table_hex", K_HEX), P("number_of_symbols", K_INT),
    P("size_of_optional_header", K_INT), P("characteristics_hex", K_HEX), P("file_header_hashes", K_HASHES),
    S("optional_header", K_OBJECT, pe_optional), S("sections", K_LIST_OBJECT, pe_section), END};
static const pat__prop file_exts[] = {S("ntfs-ext", K_OBJECT, ntfs_ext), S("raster-image-ext", K_OBJECT, raster_ext),
                                      S("pdf-ext", K_OBJECT, pdf_ext), S("archive-ext", K_OBJECT, archive_ext),
                                      S("windows-pebinary-ext", K_OBJECT, pe_ext), END};
static const pat__prop file_props[] = {
    COMMON, S("extensions", K_EXTENSIONS, file_exts), P("hashes", K_HASHES), P("size", K_INT), P("name", K_STRING),
    P("name_enc", K_STRING), P("magic_number_hex", K_HEX), P("mime_type", K_STRING), P("ctime", K_TIMESTAMP),
    P("mtime", K_TIMESTAMP), P("atime", K_TIMESTAMP), R("parent_directory_ref", K_REF, "directory"),
    R("contains_refs", K_REFS, NULL), R("content_ref", K_REF, "artifact"), END};

/* ---- the others ---- */
static const pat__prop artifact_props[] = {COMMON, P("mime_type", K_STRING), P("payload_bin", K_BINARY),
                                           P("url", K_STRING), P("hashes", K_HASHES),
                                           P("encryption_algorithm", K_STRING), P("decryption_key", K_STRING),
                                           S("extensions", K_EXTENSIONS, NULL), END};
static const pat__prop as_props[] = {COMMON, P("number", K_INT), P("name", K_STRING), P("rir", K_STRING),
                                     S("extensions", K_EXTENSIONS, NULL), END};
static const pat__prop directory_props[] = {
    COMMON, P("path", K_STRING), P("path_enc", K_STRING), P("ctime", K_TIMESTAMP), P("mtime", K_TIMESTAMP),
    P("atime", K_TIMESTAMP), R("contains_refs", K_REFS, "file directory"), S("extensions", K_EXTENSIONS, NULL), END};
static const pat__prop domain_props[] = {COMMON, P("value", K_STRING),
                                         R("resolves_to_refs", K_REFS, "ipv4-addr ipv6-addr domain-name"),
                                         S("extensions", K_EXTENSIONS, NULL), END};
static const pat__prop email_addr_props[] = {COMMON, P("value", K_STRING), P("display_name", K_STRING),
                                             R("belongs_to_ref", K_REF, "user-account"),
                                             S("extensions", K_EXTENSIONS, NULL), END};
static const pat__prop mime_part[] = {P("body", K_STRING), R("body_raw_ref", K_REF, "artifact file"),
                                      P("content_type", K_STRING), P("content_disposition", K_STRING), END};
static const pat__prop email_msg_props[] = {
    COMMON, P("is_multipart", K_BOOL), P("date", K_TIMESTAMP), P("content_type", K_STRING),
    R("from_ref", K_REF, "email-addr"), R("sender_ref", K_REF, "email-addr"), R("to_refs", K_REFS, "email-addr"),
    R("cc_refs", K_REFS, "email-addr"), R("bcc_refs", K_REFS, "email-addr"), P("message_id", K_STRING),
    P("subject", K_STRING), P("received_lines", K_LIST), P("additional_header_fields", K_DICT), P("body", K_STRING),
    S("body_multipart", K_LIST_OBJECT, mime_part), R("raw_email_ref", K_REF, "artifact"),
    S("extensions", K_EXTENSIONS, NULL), END};
static const pat__prop ipv4_props[] = {COMMON, P("value", K_STRING), R("resolves_to_refs", K_REFS, "mac-addr"),
                                       R("belongs_to_refs", K_REFS, "autonomous-system"),
                                       S("extensions", K_EXTENSIONS, NULL), END};
static const pat__prop mac_props[] = {COMMON, P("value", K_STRING), S("extensions", K_EXTENSIONS, NULL), END};
static const pat__prop mutex_props[] = {COMMON, P("name", K_STRING), S("extensions", K_EXTENSIONS, NULL), END};
static const pat__prop http_ext[] = {P("request_method", K_STRING), P("request_value", K_STRING),
                                     P("request_version", K_STRING), P("request_header", K_DICT),
                                     P("message_body_length", K_INT), R("message_body_data_ref", K_REF, "artifact"), END};
static const pat__prop icmp_ext[] = {P("icmp_type_hex", K_HEX), P("icmp_code_hex", K_HEX), END};
static const pat__prop socket_ext[] = {P("address_family", K_STRING), P("is_blocking", K_BOOL),
                                       P("is_listening", K_BOOL), P("options", K_DICT), P("socket_type", K_STRING),
                                       P("socket_descriptor", K_INT), P("socket_handle", K_INT), END};
static const pat__prop tcp_ext[] = {P("src_flags_hex", K_HEX), P("dst_flags_hex", K_HEX), END};
static const pat__prop nt_exts[] = {S("http-request-ext", K_OBJECT, http_ext), S("icmp-ext", K_OBJECT, icmp_ext),
                                    S("socket-ext", K_OBJECT, socket_ext), S("tcp-ext", K_OBJECT, tcp_ext), END};
#define ADDR "ipv4-addr ipv6-addr mac-addr domain-name"
static const pat__prop nt_props[] = {
    COMMON, S("extensions", K_EXTENSIONS, nt_exts), P("start", K_TIMESTAMP), P("end", K_TIMESTAMP),
    P("is_active", K_BOOL), R("src_ref", K_REF, ADDR), R("dst_ref", K_REF, ADDR), P("src_port", K_INT),
    P("dst_port", K_INT), P("protocols", K_LIST), P("src_byte_count", K_INT), P("dst_byte_count", K_INT),
    P("src_packets", K_INT), P("dst_packets", K_INT), P("ipfix", K_DICT), R("src_payload_ref", K_REF, "artifact"),
    R("dst_payload_ref", K_REF, "artifact"), R("encapsulates_refs", K_REFS, "network-traffic"),
    R("encapsulated_by_ref", K_REF, "network-traffic"), END};
static const pat__prop winproc_ext[] = {P("aslr_enabled", K_BOOL), P("dep_enabled", K_BOOL),
                                        P("priority", K_STRING), P("owner_sid", K_STRING),
                                        P("window_title", K_STRING), P("startup_info", K_DICT),
                                        P("integrity_level", K_STRING), END};
static const pat__prop winsvc_ext[] = {P("service_name", K_STRING), P("descriptions", K_LIST),
                                       P("display_name", K_STRING), P("group_name", K_STRING),
                                       P("start_type", K_STRING), R("service_dll_refs", K_REFS, "file"),
                                       P("service_type", K_STRING), P("service_status", K_STRING), END};
static const pat__prop proc_exts[] = {S("windows-process-ext", K_OBJECT, winproc_ext),
                                      S("windows-service-ext", K_OBJECT, winsvc_ext), END};
static const pat__prop process_props[] = {
    COMMON, S("extensions", K_EXTENSIONS, proc_exts), P("is_hidden", K_BOOL), P("pid", K_INT),
    P("created_time", K_TIMESTAMP), P("cwd", K_STRING), P("command_line", K_STRING),
    P("environment_variables", K_DICT), R("opened_connection_refs", K_REFS, "network-traffic"),
    R("creator_user_ref", K_REF, "user-account"), R("image_ref", K_REF, "file"), R("parent_ref", K_REF, "process"),
    R("child_refs", K_REFS, "process"), END};
static const pat__prop software_props[] = {COMMON, P("name", K_STRING), P("cpe", K_STRING), P("swid", K_STRING),
                                           P("languages", K_LIST), P("vendor", K_STRING), P("version", K_STRING),
                                           S("extensions", K_EXTENSIONS, NULL), END};
static const pat__prop url_props[] = {COMMON, P("value", K_STRING), S("extensions", K_EXTENSIONS, NULL), END};
static const pat__prop unix_ext[] = {P("gid", K_INT), P("groups", K_LIST), P("home_dir", K_STRING),
                                     P("shell", K_STRING), END};
static const pat__prop ua_exts[] = {S("unix-account-ext", K_OBJECT, unix_ext), END};
static const pat__prop ua_props[] = {
    COMMON, S("extensions", K_EXTENSIONS, ua_exts), P("user_id", K_STRING), P("credential", K_STRING),
    P("account_login", K_STRING), P("account_type", K_STRING), P("display_name", K_STRING),
    P("is_service_account", K_BOOL), P("is_privileged", K_BOOL), P("can_escalate_privs", K_BOOL),
    P("is_disabled", K_BOOL), P("account_created", K_TIMESTAMP), P("account_expires", K_TIMESTAMP),
    P("credential_last_changed", K_TIMESTAMP), P("account_first_login", K_TIMESTAMP),
    P("account_last_login", K_TIMESTAMP), END};
static const pat__prop regval[] = {P("name", K_STRING), P("data", K_STRING), P("data_type", K_STRING), END};
static const pat__prop regkey_props[] = {COMMON, P("key", K_STRING), S("values", K_LIST_OBJECT, regval),
                                         P("modified_time", K_TIMESTAMP),
                                         R("creator_user_ref", K_REF, "user-account"),
                                         P("number_of_subkeys", K_INT), S("extensions", K_EXTENSIONS, NULL), END};
static const pat__prop x509_v3[] = {
    P("basic_constraints", K_STRING), P("name_constraints", K_STRING), P("policy_constraints", K_STRING),
    P("key_usage", K_STRING), P("extended_key_usage", K_STRING), P("subject_key_identifier", K_STRING),
    P("authority_key_identifier", K_STRING), P("subject_alternative_name", K_STRING),
    P("issuer_alternative_name", K_STRING), P("subject_directory_attributes", K_STRING),
    P("crl_distribution_points", K_STRING), P("inhibit_any_policy", K_STRING),
    P("private_key_usage_period_not_before", K_TIMESTAMP), P("private_key_usage_period_not_after", K_TIMESTAMP),
    P("certificate_policies", K_STRING), P("policy_mappings", K_STRING), END};
static const pat__prop x509_props[] = {
    COMMON, P("is_self_signed", K_BOOL), P("hashes", K_HASHES), P("version", K_STRING),
    P("serial_number", K_STRING), P("signature_algorithm", K_STRING), P("issuer", K_STRING),
    P("validity_not_before", K_TIMESTAMP), P("validity_not_after", K_TIMESTAMP), P("subject", K_STRING),
    P("subject_public_key_algorithm", K_STRING), P("subject_public_key_modulus", K_STRING),
    P("subject_public_key_exponent", K_INT), S("x509_v3_extensions", K_OBJECT, x509_v3),
    S("extensions", K_EXTENSIONS, NULL), END};

/* The types, sorted by name for bsearch. */
static const struct sco {
    const char *type;
    const pat__prop *props;
} scos[] = {
    {"artifact", artifact_props},
    {"autonomous-system", as_props},
    {"directory", directory_props},
    {"domain-name", domain_props},
    {"email-addr", email_addr_props},
    {"email-message", email_msg_props},
    {"file", file_props},
    {"ipv4-addr", ipv4_props},
    {"ipv6-addr", ipv4_props},
    {"mac-addr", mac_props},
    {"mutex", mutex_props},
    {"network-traffic", nt_props},
    {"process", process_props},
    {"software", software_props},
    {"url", url_props},
    {"user-account", ua_props},
    {"windows-registry-key", regkey_props},
    {"x509-certificate", x509_props},
};

static int cmp_sco(const void *k, const void *e)
{
    return strcmp((const char *)k, ((const struct sco *)e)->type);
}

const pat__prop *pat__sco_props(const char *type)
{
    const struct sco *s = bsearch(type, scos, sizeof scos / sizeof scos[0], sizeof scos[0], cmp_sco);
    return s ? s->props : NULL;
}

const pat__prop *pat__prop_find(const pat__prop *list, const char *name)
{
    if (!list)
        return NULL;
    for (; list->name; list++)
        if (list->name[0] == name[0] && strcmp(list->name, name) == 0)
            return list;
    return NULL;
}

const char *pat__kind_name(int kind)
{
    switch (kind) {
    case K_STRING: return "string";
    case K_INT: return "integer";
    case K_FLOAT: return "float";
    case K_BOOL: return "boolean";
    case K_TIMESTAMP: return "timestamp";
    case K_BINARY: return "binary";
    case K_HEX: return "hex";
    case K_REF: return "reference";
    case K_REFS: return "list of references";
    case K_HASHES: return "hashes dictionary";
    case K_DICT: return "dictionary";
    case K_OBJECT: return "structure";
    case K_LIST: return "list";
    case K_LIST_OBJECT: return "list of structures";
    case K_EXTENSIONS: return "extensions dictionary";
    default: return "unknown";
    }
}
