/*
 * stix_types.c - the one table of STIX 2.1 types.
 *
 * For every type of the STIX 2.1 specification (OASIS Standard, 10 June
 * 2021): its kind, the section that defines it, its properties (value kind,
 * required or not, what a reference may name, vocabulary) and the rules that
 * span properties. Nested structures are described the same way. Facts come
 * from the specification's property tables and the OASIS JSON schemas
 * (cti-stix2-json-schemas, stix2.1 branch); where the schemas are looser than
 * the prose (e.g. the types an SCO reference may name) the prose wins.
 *
 * Both lists below must stay sorted (types by name, properties by name): the
 * lookups are binary searches. test_validate checks it with stix__table_check.
 */
#include <stdint.h>
#include <string.h>

#include "stix/stix_int.h"

/* ---- building blocks ------------------------------------------------------ */

#define REQ STIX_P_REQUIRED
#define NPROPS(a) (sizeof(a) / sizeof((a)[0]))
#define LIST(...) ((const char *const[]){__VA_ARGS__, NULL})
#define KB(k) (1u << (k))

#define P(n, k, f)                                                                                           \
    {                                                                                                        \
        .name = (n), .kind = STIX_VK_##k, .flags = (f)                                                       \
    }
#define STR(n, f) P(n, STRING, f)
#define TS(n, f) P(n, TIMESTAMP, f)
#define STRS(n, f) P(n, STRINGS, f)
#define BOOL(n, f) P(n, BOOLEAN, f)
#define INT(n, f) P(n, INTEGER, f)
#define RANGE(n, f, lo, hi)                                                                                  \
    {                                                                                                        \
        .name = (n), .kind = STIX_VK_INTEGER, .flags = (f) | STIX_P_RANGE, .min = (lo), .max = (hi)          \
    }
#define UINT(n) RANGE(n, 0, 0, INT64_MAX)
#define REF(n, f, t)                                                                                         \
    {                                                                                                        \
        .name = (n), .kind = STIX_VK_REF, .flags = (f), .to = &(t)                                           \
    }
#define REFS(n, f, t)                                                                                        \
    {                                                                                                        \
        .name = (n), .kind = STIX_VK_REFS, .flags = (f), .to = &(t)                                          \
    }
#define VOC(n, f, v)                                                                                         \
    {                                                                                                        \
        .name = (n), .kind = STIX_VK_STRING, .flags = (f), .vocab = (v)                                      \
    }
#define VOCS(n, f, v)                                                                                        \
    {                                                                                                        \
        .name = (n), .kind = STIX_VK_STRINGS, .flags = (f), .vocab = (v)                                     \
    }
#define ENUM(n, f, v)                                                                                        \
    {                                                                                                        \
        .name = (n), .kind = STIX_VK_STRING, .flags = (f) | STIX_P_ENUM, .vocab = (v)                        \
    }
#define ENUMS(n, f, v)                                                                                       \
    {                                                                                                        \
        .name = (n), .kind = STIX_VK_STRINGS, .flags = (f) | STIX_P_ENUM, .vocab = (v)                       \
    }
#define OBJ(n, f, d)                                                                                         \
    {                                                                                                        \
        .name = (n), .kind = STIX_VK_OBJECT, .flags = (f), .sub = (d)                                        \
    }
#define OBJS(n, f, d)                                                                                        \
    {                                                                                                        \
        .name = (n), .kind = STIX_VK_OBJECTS, .flags = (f), .sub = (d)                                       \
    }
#define EXTS(d)                                                                                              \
    {                                                                                                        \
        .name = "extensions", .kind = STIX_VK_EXTENSIONS, .sub = (d)                                         \
    }
#define KCP(f) OBJS("kill_chain_phases", f, &kill_chain_phase)
#define HASHES(f) P("hashes", HASHES, f)

#define DEF(nm, k, sec, pl, com, chk, lab)                                                                   \
    {                                                                                                        \
        .name = (nm), .kind = (k), .section = (sec), .props = (pl), .nprops = NPROPS(pl), .common = (com),   \
        .check = (chk), .labels_to = (lab)                                                                   \
    }
#define STRUCT(nm, sec, pl, chk) DEF(nm, STIX_KIND_UNKNOWN, sec, pl, NULL, chk, NULL)

/* ---- vocabularies (section 10) and enumerations -------------------------- */

static const char *const v_account_type[] = {"facebook",       "ldap",   "nis",     "openid", "radius",
                                             "skype",          "tacacs", "twitter", "unix",   "windows-local",
                                             "windows-domain", NULL};
static const char *const v_motivation[] = {"accidental",
                                           "coercion",
                                           "dominance",
                                           "ideology",
                                           "notoriety",
                                           "organizational-gain",
                                           "personal-gain",
                                           "personal-satisfaction",
                                           "revenge",
                                           "unpredictable",
                                           NULL};
static const char *const v_resource_level[] = {"individual",   "club",       "contest", "team",
                                               "organization", "government", NULL};
static const char *const v_grouping_context[] = {"suspicious-activity", "malware-analysis", "unspecified",
                                                 NULL};
static const char *const v_identity_class[] = {"individual", "group",   "system", "organization",
                                               "class",      "unknown", NULL};
static const char *const v_impl_language[] = {
    "applescript",  "bash",   "c",      "c++",        "c#",     "go",   "java",  "javascript", "lua",
    "objective-c",  "perl",   "php",    "powershell", "python", "ruby", "scala", "swift",      "typescript",
    "visual-basic", "x86-32", "x86-64", NULL};
static const char *const v_indicator_type[] = {
    "anomalous-activity", "anonymization", "benign",  "compromised",
    "malicious-activity", "attribution",   "unknown", NULL};
static const char *const v_industry_sector[] = {"agriculture",
                                                "aerospace",
                                                "automotive",
                                                "chemical",
                                                "commercial",
                                                "communications",
                                                "construction",
                                                "defense",
                                                "education",
                                                "energy",
                                                "engineering",
                                                "entertainment",
                                                "financial-services",
                                                "government",
                                                "emergency-services",
                                                "government-local",
                                                "government-national",
                                                "government-public-services",
                                                "government-regional",
                                                "healthcare",
                                                "hospitality-leisure",
                                                "infrastructure",
                                                "dams",
                                                "nuclear",
                                                "water",
                                                "insurance",
                                                "manufacturing",
                                                "mining",
                                                "non-profit",
                                                "pharmaceuticals",
                                                "retail",
                                                "technology",
                                                "telecommunications",
                                                "transportation",
                                                "utilities",
                                                NULL};
static const char *const v_infrastructure_type[] = {"amplification",
                                                    "anonymization",
                                                    "botnet",
                                                    "command-and-control",
                                                    "control-system",
                                                    "exfiltration",
                                                    "firewall",
                                                    "hosting-malware",
                                                    "hosting-target-lists",
                                                    "phishing",
                                                    "reconnaissance",
                                                    "routers-switches",
                                                    "staging",
                                                    "workstation",
                                                    "unknown",
                                                    NULL};
static const char *const v_av_result[] = {"malicious", "suspicious", "benign", "unknown", NULL};
static const char *const v_malware_capability[] = {"accesses-remote-machines",
                                                   "anti-debugging",
                                                   "anti-disassembly",
                                                   "anti-emulation",
                                                   "anti-memory-forensics",
                                                   "anti-sandbox",
                                                   "anti-vm",
                                                   "captures-input-peripherals",
                                                   "captures-output-peripherals",
                                                   "captures-system-state-data",
                                                   "cleans-traces-of-infection",
                                                   "commits-fraud",
                                                   "communicates-with-c2",
                                                   "compromises-data-availability",
                                                   "compromises-data-integrity",
                                                   "compromises-system-availability",
                                                   "controls-local-machine",
                                                   "degrades-security-software",
                                                   "degrades-system-updates",
                                                   "determines-c2-server",
                                                   "emails-spam",
                                                   "escalates-privileges",
                                                   "evades-av",
                                                   "exfiltrates-data",
                                                   "fingerprints-host",
                                                   "hides-artifacts",
                                                   "hides-executing-code",
                                                   "infects-files",
                                                   "infects-remote-machines",
                                                   "installs-other-components",
                                                   "persists-after-system-reboot",
                                                   "prevents-artifact-access",
                                                   "prevents-artifact-deletion",
                                                   "probes-network-environment",
                                                   "self-modifies",
                                                   "steals-authentication-credentials",
                                                   "violates-system-operational-integrity",
                                                   NULL};
static const char *const v_malware_type[] = {"adware",
                                             "backdoor",
                                             "bot",
                                             "bootkit",
                                             "ddos",
                                             "downloader",
                                             "dropper",
                                             "exploit-kit",
                                             "keylogger",
                                             "ransomware",
                                             "remote-access-trojan",
                                             "resource-exploitation",
                                             "rogue-security-software",
                                             "rootkit",
                                             "screen-capture",
                                             "spyware",
                                             "trojan",
                                             "unknown",
                                             "virus",
                                             "webshell",
                                             "wiper",
                                             "worm",
                                             NULL};
static const char *const v_pattern_type[] = {"stix", "pcre", "sigma", "snort", "suricata", "yara", NULL};
static const char *const v_processor_arch[] = {"alpha", "arm", "ia-64",  "mips", "powerpc",
                                               "sparc", "x86", "x86-64", NULL};
static const char *const v_region[] = {"africa",
                                       "eastern-africa",
                                       "middle-africa",
                                       "northern-africa",
                                       "southern-africa",
                                       "western-africa",
                                       "americas",
                                       "latin-america-caribbean",
                                       "south-america",
                                       "caribbean",
                                       "central-america",
                                       "northern-america",
                                       "asia",
                                       "central-asia",
                                       "eastern-asia",
                                       "southern-asia",
                                       "south-eastern-asia",
                                       "western-asia",
                                       "europe",
                                       "eastern-europe",
                                       "northern-europe",
                                       "southern-europe",
                                       "western-europe",
                                       "oceania",
                                       "australia-new-zealand",
                                       "melanesia",
                                       "micronesia",
                                       "polynesia",
                                       "antarctica",
                                       NULL};
static const char *const v_report_type[] = {"attack-pattern", "campaign", "identity",      "indicator",
                                            "intrusion-set",  "malware",  "observed-data", "threat-actor",
                                            "threat-report",  "tool",     "vulnerability", NULL};
static const char *const v_ta_type[] = {"activist",
                                        "competitor",
                                        "crime-syndicate",
                                        "criminal",
                                        "hacker",
                                        "insider-accidental",
                                        "insider-disgruntled",
                                        "nation-state",
                                        "sensationalist",
                                        "spy",
                                        "terrorist",
                                        "unknown",
                                        NULL};
static const char *const v_ta_role[] = {
    "agent",          "director", "independent", "infrastructure-architect", "infrastructure-operator",
    "malware-author", "sponsor",  NULL};
static const char *const v_ta_sophistication[] = {"none",   "minimal",   "intermediate", "advanced",
                                                  "expert", "innovator", "strategic",    NULL};
static const char *const v_tool_type[] = {"denial-of-service",
                                          "exploitation",
                                          "information-gathering",
                                          "network-capture",
                                          "credential-exploitation",
                                          "remote-access",
                                          "vulnerability-scanning",
                                          "unknown",
                                          NULL};
static const char *const v_pe_type[] = {"dll", "exe", "sys", NULL};
static const char *const v_marking_type[] = {"statement", "tlp", NULL};

static const char *const e_encryption[] = {"AES-256-GCM", "ChaCha20-Poly1305", "mime-type-indicated", NULL};
static const char *const e_extension_type[] = {
    "new-sdo", "new-sco", "new-sro", "property-extension", "toplevel-property-extension", NULL};
static const char *const e_socket_family[] = {
    "AF_UNSPEC", "AF_INET", "AF_IPX", "AF_APPLETALK", "AF_NETBIOS", "AF_INET6", "AF_IRDA", "AF_BTH", NULL};
static const char *const e_socket_type[] = {"SOCK_STREAM", "SOCK_DGRAM",     "SOCK_RAW",
                                            "SOCK_RDM",    "SOCK_SEQPACKET", NULL};
static const char *const e_opinion[] = {"strongly-disagree", "disagree", "neutral", "agree",
                                        "strongly-agree",    NULL};
static const char *const e_integrity[] = {"low", "medium", "high", "system", NULL};
static const char *const e_reg_datatype[] = {"REG_NONE",
                                             "REG_SZ",
                                             "REG_EXPAND_SZ",
                                             "REG_BINARY",
                                             "REG_DWORD",
                                             "REG_DWORD_BIG_ENDIAN",
                                             "REG_DWORD_LITTLE_ENDIAN",
                                             "REG_LINK",
                                             "REG_MULTI_SZ",
                                             "REG_RESOURCE_LIST",
                                             "REG_FULL_RESOURCE_DESCRIPTION",
                                             "REG_RESOURCE_REQUIREMENTS_LIST",
                                             "REG_QWORD",
                                             "REG_INVALID_TYPE",
                                             NULL};
static const char *const e_start_type[] = {"SERVICE_AUTO_START",   "SERVICE_BOOT_START",
                                           "SERVICE_DEMAND_START", "SERVICE_DISABLED",
                                           "SERVICE_SYSTEM_ALERT", NULL};
static const char *const e_service_type[] = {"SERVICE_KERNEL_DRIVER", "SERVICE_FILE_SYSTEM_DRIVER",
                                             "SERVICE_WIN32_OWN_PROCESS", "SERVICE_WIN32_SHARE_PROCESS",
                                             NULL};
static const char *const e_service_status[] = {
    "SERVICE_CONTINUE_PENDING", "SERVICE_PAUSE_PENDING", "SERVICE_PAUSED",  "SERVICE_RUNNING",
    "SERVICE_START_PENDING",    "SERVICE_STOP_PENDING",  "SERVICE_STOPPED", NULL};

/* ---- what references may name --------------------------------------------- */

#define K_SDO KB(STIX_KIND_SDO)
#define K_SRO KB(STIX_KIND_SRO)
#define K_SCO KB(STIX_KIND_SCO)
#define K_META KB(STIX_KIND_META)
#define K_CUSTOM KB(STIX_KIND_UNKNOWN)

static const stix_targets t_any = {K_SDO | K_SRO | K_SCO | K_META | K_CUSTOM, NULL, "a STIX object"};
static const stix_targets t_sdo_sco = {K_SDO | K_SCO | K_CUSTOM, NULL, "an SDO, an SCO or a custom object"};
static const stix_targets t_sdo = {K_SDO | K_CUSTOM, NULL, "an SDO or a custom object"};
static const stix_targets t_sco = {K_SCO | K_CUSTOM, NULL, "an SCO or a custom object"};
static const stix_targets t_sco_sro = {K_SCO | K_SRO | K_CUSTOM, NULL, "an SCO, an SRO or a custom object"};
static const stix_targets t_not_lc = {K_SDO | K_SRO | K_SCO | K_CUSTOM,
                                      LIST("marking-definition", "extension-definition"),
                                      "a STIX object other than a bundle or language-content"};
static const stix_targets t_identity = {0, LIST("identity"), "an identity"};
static const stix_targets t_marking = {0, LIST("marking-definition"), "a marking-definition"};
static const stix_targets t_software = {0, LIST("software"), "a software"};
static const stix_targets t_file_artifact = {0, LIST("file", "artifact"), "a file or an artifact"};
static const stix_targets t_sample = {0, LIST("file", "network-traffic", "artifact"),
                                      "a file, network-traffic or artifact"};
static const stix_targets t_observed_data = {0, LIST("observed-data"), "an observed-data"};
static const stix_targets t_identity_location = {0, LIST("identity", "location"),
                                                 "an identity or a location"};
static const stix_targets t_file_directory = {0, LIST("file", "directory"), "a file or a directory"};
static const stix_targets t_ip_domain = {0, LIST("ipv4-addr", "ipv6-addr", "domain-name"),
                                         "an ipv4-addr, ipv6-addr or domain-name"};
static const stix_targets t_user = {0, LIST("user-account"), "a user-account"};
static const stix_targets t_email_addr = {0, LIST("email-addr"), "an email-addr"};
static const stix_targets t_artifact = {0, LIST("artifact"), "an artifact"};
static const stix_targets t_directory = {0, LIST("directory"), "a directory"};
static const stix_targets t_mac = {0, LIST("mac-addr"), "a mac-addr"};
static const stix_targets t_as = {0, LIST("autonomous-system"), "an autonomous-system"};
static const stix_targets t_nt_end = {0, LIST("ipv4-addr", "ipv6-addr", "mac-addr", "domain-name"),
                                      "an ipv4-addr, ipv6-addr, mac-addr or domain-name"};
static const stix_targets t_nt = {0, LIST("network-traffic"), "a network-traffic"};
static const stix_targets t_process = {0, LIST("process"), "a process"};
static const stix_targets t_file = {0, LIST("file"), "a file"};

/* ---- nested structures ----------------------------------------------------- */

static const stix_prop p_kill_chain_phase[] = {
    STR("kill_chain_name", REQ),
    STR("phase_name", REQ),
};
static const stix_def kill_chain_phase = STRUCT("kill-chain-phase", "2.10", p_kill_chain_phase, NULL);

static const stix_prop p_external_reference[] = {
    STR("description", 0), STR("external_id", 0), HASHES(0), STR("source_name", REQ), STR("url", 0),
};
static const stix_def external_reference =
    STRUCT("external-reference", "2.4", p_external_reference, stix__check_external_reference);

static const stix_prop p_granular_marking[] = {
    STR("lang", 0),
    REF("marking_ref", 0, t_marking),
    STRS("selectors", REQ),
};
static const stix_def granular_marking =
    STRUCT("granular-marking", "7.2.3", p_granular_marking, stix__check_granular_marking);

static const stix_prop p_winreg_value[] = {
    STR("data", 0),
    ENUM("data_type", 0, e_reg_datatype),
    STR("name", 0),
};
static const stix_def winreg_value = STRUCT("windows-registry-value-type", "6.17.2", p_winreg_value, NULL);

static const stix_prop p_mime_part[] = {
    STR("body", 0),
    REF("body_raw_ref", 0, t_file_artifact),
    STR("content_disposition", 0),
    STR("content_type", 0),
};
static const stix_def mime_part = STRUCT("email-mime-part-type", "6.6.2", p_mime_part, stix__check_mime_part);

static const stix_prop p_x509_v3[] = {
    STR("authority_key_identifier", 0),
    STR("basic_constraints", 0),
    STR("certificate_policies", 0),
    STR("crl_distribution_points", 0),
    STR("extended_key_usage", 0),
    STR("inhibit_any_policy", 0),
    STR("issuer_alternative_name", 0),
    STR("key_usage", 0),
    STR("name_constraints", 0),
    STR("policy_constraints", 0),
    STR("policy_mappings", 0),
    TS("private_key_usage_period_not_after", 0),
    TS("private_key_usage_period_not_before", 0),
    STR("subject_alternative_name", 0),
    STR("subject_directory_attributes", 0),
    STR("subject_key_identifier", 0),
};
static const stix_def x509_v3 = STRUCT("x509-v3-extensions-type", "6.18.2", p_x509_v3, NULL);

/* Predefined SCO extensions (6.7.2 - 6.16.2). */
static const stix_prop p_archive_ext[] = {
    STR("comment", 0),
    REFS("contains_refs", REQ, t_file_directory),
};
static const stix_def archive_ext = STRUCT("archive-ext", "6.7.2", p_archive_ext, NULL);

static const stix_prop p_ads[] = {HASHES(0), STR("name", REQ), UINT("size")};
static const stix_def ads = STRUCT("alternate-data-stream-type", "6.7.2", p_ads, NULL);
static const stix_prop p_ntfs_ext[] = {
    OBJS("alternate_data_streams", 0, &ads),
    STR("sid", 0),
};
static const stix_def ntfs_ext = STRUCT("ntfs-ext", "6.7.2", p_ntfs_ext, NULL);

static const stix_prop p_pdf_ext[] = {
    P("document_info_dict", DICT, 0),
    BOOL("is_optimized", 0),
    STR("pdfid0", 0),
    STR("pdfid1", 0),
    STR("version", 0),
};
static const stix_def pdf_ext = STRUCT("pdf-ext", "6.7.2", p_pdf_ext, NULL);

static const stix_prop p_raster_ext[] = {
    INT("bits_per_pixel", 0),
    P("exif_tags", DICT, 0),
    INT("image_height", 0),
    INT("image_width", 0),
};
static const stix_def raster_ext = STRUCT("raster-image-ext", "6.7.2", p_raster_ext, NULL);

static const stix_prop p_pe_section[] = {P("entropy", FLOAT, 0), HASHES(0), STR("name", REQ), UINT("size")};
static const stix_def pe_section = STRUCT("windows-pe-section-type", "6.7.2", p_pe_section, NULL);
static const stix_prop p_pe_ext[] = {
    P("characteristics_hex", HEX, 0),
    P("file_header_hashes", HASHES, 0),
    STR("imphash", 0),
    P("machine_hex", HEX, 0),
    UINT("number_of_sections"),
    UINT("number_of_symbols"),
    OBJ("optional_header", 0, NULL),
    VOC("pe_type", REQ, v_pe_type),
    P("pointer_to_symbol_table_hex", HEX, 0),
    OBJS("sections", 0, &pe_section),
    UINT("size_of_optional_header"),
    TS("time_date_stamp", 0),
};
static const stix_def pe_ext = STRUCT("windows-pebinary-ext", "6.7.2", p_pe_ext, NULL);

static const stix_prop p_file_exts[] = {
    OBJ("archive-ext", 0, &archive_ext),
    OBJ("ntfs-ext", 0, &ntfs_ext),
    OBJ("pdf-ext", 0, &pdf_ext),
    OBJ("raster-image-ext", 0, &raster_ext),
    OBJ("windows-pebinary-ext", 0, &pe_ext),
};
static const stix_def file_exts = STRUCT("file extensions", "6.7.2", p_file_exts, NULL);

static const stix_prop p_http_ext[] = {
    REF("message_body_data_ref", 0, t_artifact),
    UINT("message_body_length"),
    P("request_header", DICT, 0),
    STR("request_method", REQ),
    STR("request_value", REQ),
    STR("request_version", 0),
};
static const stix_def http_ext = STRUCT("http-request-ext", "6.12.2", p_http_ext, NULL);
static const stix_prop p_icmp_ext[] = {
    P("icmp_code_hex", HEX, REQ),
    P("icmp_type_hex", HEX, REQ),
};
static const stix_def icmp_ext = STRUCT("icmp-ext", "6.12.2", p_icmp_ext, NULL);
static const stix_prop p_socket_ext[] = {
    ENUM("address_family", REQ, e_socket_family),
    BOOL("is_blocking", 0),
    BOOL("is_listening", 0),
    P("options", DICT, 0),
    UINT("socket_descriptor"),
    UINT("socket_handle"),
    ENUM("socket_type", 0, e_socket_type),
};
static const stix_def socket_ext = STRUCT("socket-ext", "6.12.2", p_socket_ext, NULL);
static const stix_prop p_tcp_ext[] = {
    P("dst_flags_hex", HEX, 0),
    P("src_flags_hex", HEX, 0),
};
static const stix_def tcp_ext = STRUCT("tcp-ext", "6.12.2", p_tcp_ext, NULL);
static const stix_prop p_nt_exts[] = {
    OBJ("http-request-ext", 0, &http_ext),
    OBJ("icmp-ext", 0, &icmp_ext),
    OBJ("socket-ext", 0, &socket_ext),
    OBJ("tcp-ext", 0, &tcp_ext),
};
static const stix_def nt_exts = STRUCT("network-traffic extensions", "6.12.2", p_nt_exts, NULL);

static const stix_prop p_winproc_ext[] = {
    BOOL("aslr_enabled", 0), BOOL("dep_enabled", 0), ENUM("integrity_level", 0, e_integrity),
    STR("owner_sid", 0),     STR("priority", 0),     P("startup_info", DICT, 0),
    STR("window_title", 0),
};
static const stix_def winproc_ext = STRUCT("windows-process-ext", "6.13.2", p_winproc_ext, NULL);
static const stix_prop p_winsvc_ext[] = {
    STRS("descriptions", 0),
    STR("display_name", 0),
    STR("group_name", 0),
    REFS("service_dll_refs", 0, t_file),
    STR("service_name", 0),
    ENUM("service_status", 0, e_service_status),
    ENUM("service_type", 0, e_service_type),
    ENUM("start_type", 0, e_start_type),
};
static const stix_def winsvc_ext = STRUCT("windows-service-ext", "6.13.2", p_winsvc_ext, NULL);
static const stix_prop p_process_exts[] = {
    OBJ("windows-process-ext", 0, &winproc_ext),
    OBJ("windows-service-ext", 0, &winsvc_ext),
};
static const stix_def process_exts = STRUCT("process extensions", "6.13.2", p_process_exts, NULL);

static const stix_prop p_unix_ext[] = {
    INT("gid", 0),
    STRS("groups", 0),
    STR("home_dir", 0),
    STR("shell", 0),
};
static const stix_def unix_ext = STRUCT("unix-account-ext", "6.16.2", p_unix_ext, NULL);
static const stix_prop p_ua_exts[] = {OBJ("unix-account-ext", 0, &unix_ext)};
static const stix_def ua_exts = STRUCT("user-account extensions", "6.16.2", p_ua_exts, NULL);

/* ---- common properties (3.2, 6.1 common SCO properties, 7.2.1, 7.3) ------ */

static const stix_prop p_common_sdo[] = {
    RANGE("confidence", 0, 0, 100),
    P("created", TIMESTAMP_MS, REQ),
    REF("created_by_ref", 0, t_identity),
    P("extensions", EXTENSIONS, 0),
    OBJS("external_references", 0, &external_reference),
    OBJS("granular_markings", 0, &granular_marking),
    P("id", ID, REQ),
    STRS("labels", 0),
    STR("lang", 0),
    P("modified", TIMESTAMP_MS, REQ),
    REFS("object_marking_refs", 0, t_marking),
    BOOL("revoked", 0),
    P("spec_version", SPEC_VERSION, REQ),
    P("type", TYPE, REQ),
};
const stix_def stix__common_sdo =
    DEF("common properties", STIX_KIND_UNKNOWN, "3.2", p_common_sdo, NULL, stix__check_common, NULL);

static const stix_prop p_common_sco[] = {
    BOOL("defanged", 0),
    P("extensions", EXTENSIONS, 0),
    OBJS("granular_markings", 0, &granular_marking),
    P("id", ID, REQ),
    REFS("object_marking_refs", 0, t_marking),
    P("spec_version", SPEC_VERSION, 0),
    P("type", TYPE, REQ),
};
const stix_def stix__common_sco =
    DEF("common SCO properties", STIX_KIND_UNKNOWN, "6.1", p_common_sco, NULL, NULL, NULL);

static const stix_prop p_common_marking[] = {
    P("created", TIMESTAMP_MS, REQ),
    REF("created_by_ref", 0, t_identity),
    P("extensions", EXTENSIONS, 0),
    OBJS("external_references", 0, &external_reference),
    OBJS("granular_markings", 0, &granular_marking),
    P("id", ID, REQ),
    REFS("object_marking_refs", 0, t_marking),
    P("spec_version", SPEC_VERSION, REQ),
    P("type", TYPE, REQ),
};
static const stix_def common_marking = DEF("marking-definition common properties", STIX_KIND_UNKNOWN, "7.2.1",
                                           p_common_marking, NULL, NULL, NULL);

static const stix_prop p_common_extdef[] = {
    P("created", TIMESTAMP_MS, REQ),
    REF("created_by_ref", REQ, t_identity),
    OBJS("external_references", 0, &external_reference),
    OBJS("granular_markings", 0, &granular_marking),
    P("id", ID, REQ),
    STRS("labels", 0),
    P("modified", TIMESTAMP_MS, REQ),
    REFS("object_marking_refs", 0, t_marking),
    BOOL("revoked", 0),
    P("spec_version", SPEC_VERSION, REQ),
    P("type", TYPE, REQ),
};
static const stix_def common_extdef = DEF("extension-definition common properties", STIX_KIND_UNKNOWN, "7.3",
                                          p_common_extdef, NULL, stix__check_common, NULL);

/* ---- SDOs (section 4) ----------------------------------------------------- */

#define SDO(nm, sec, pl, chk, lab) DEF(nm, STIX_KIND_SDO, sec, pl, &stix__common_sdo, chk, lab)

static const stix_prop p_attack_pattern[] = {
    STRS("aliases", 0),
    STR("description", 0),
    KCP(0),
    STR("name", REQ),
};
static const stix_prop p_campaign[] = {
    STRS("aliases", 0), STR("description", 0), TS("first_seen", 0),
    TS("last_seen", 0), STR("name", REQ),      STR("objective", 0),
};
static const stix_prop p_course_of_action[] = {
    STR("description", 0),
    STR("name", REQ),
};
static const stix_prop p_grouping[] = {
    VOC("context", REQ, v_grouping_context),
    STR("description", 0),
    STR("name", 0),
    REFS("object_refs", REQ, t_any),
};
static const stix_prop p_identity[] = {
    STR("contact_information", 0),
    STR("description", 0),
    VOC("identity_class", 0, v_identity_class),
    STR("name", REQ),
    STRS("roles", 0),
    VOCS("sectors", 0, v_industry_sector),
};
static const stix_prop p_incident[] = {
    STR("description", 0),
    KCP(0),
    STR("name", REQ),
};
static const stix_prop p_indicator[] = {
    STR("description", 0),
    VOCS("indicator_types", 0, v_indicator_type),
    KCP(0),
    STR("name", 0),
    P("pattern", STRING_NONEMPTY, REQ),
    VOC("pattern_type", REQ, v_pattern_type),
    STR("pattern_version", 0),
    TS("valid_from", REQ),
    TS("valid_until", 0),
};
static const stix_prop p_infrastructure[] = {
    STRS("aliases", 0),
    STR("description", 0),
    TS("first_seen", 0),
    VOCS("infrastructure_types", 0, v_infrastructure_type),
    KCP(0),
    TS("last_seen", 0),
    STR("name", REQ),
};
static const stix_prop p_intrusion_set[] = {
    STRS("aliases", 0),
    STR("description", 0),
    TS("first_seen", 0),
    STRS("goals", 0),
    TS("last_seen", 0),
    STR("name", REQ),
    VOC("primary_motivation", 0, v_motivation),
    VOC("resource_level", 0, v_resource_level),
    VOCS("secondary_motivations", 0, v_motivation),
};
static const stix_prop p_location[] = {
    STR("administrative_area", 0),
    STR("city", 0),
    STR("country", 0),
    STR("description", 0),
    P("latitude", FLOAT, 0),
    P("longitude", FLOAT, 0),
    STR("name", 0),
    STR("postal_code", 0),
    P("precision", FLOAT, 0),
    VOC("region", 0, v_region),
    STR("street_address", 0),
};
static const stix_prop p_malware[] = {
    STRS("aliases", 0),
    VOCS("architecture_execution_envs", 0, v_processor_arch),
    VOCS("capabilities", 0, v_malware_capability),
    STR("description", 0),
    TS("first_seen", 0),
    VOCS("implementation_languages", 0, v_impl_language),
    BOOL("is_family", REQ),
    KCP(0),
    TS("last_seen", 0),
    VOCS("malware_types", 0, v_malware_type),
    STR("name", 0),
    REFS("operating_system_refs", 0, t_software),
    REFS("sample_refs", 0, t_file_artifact),
};
static const stix_prop p_malware_analysis[] = {
    STR("analysis_definition_version", 0),
    TS("analysis_ended", 0),
    STR("analysis_engine_version", 0),
    REFS("analysis_sco_refs", 0, t_sco),
    TS("analysis_started", 0),
    STR("configuration_version", 0),
    REF("host_vm_ref", 0, t_software),
    REFS("installed_software_refs", 0, t_software),
    STRS("modules", 0),
    REF("operating_system_ref", 0, t_software),
    STR("product", REQ),
    VOC("result", 0, v_av_result),
    STR("result_name", 0),
    REF("sample_ref", 0, t_sample),
    TS("submitted", 0),
    STR("version", 0),
};
static const stix_prop p_note[] = {
    STR("abstract", 0),
    STRS("authors", 0),
    STR("content", REQ),
    REFS("object_refs", REQ, t_any),
};
static const stix_prop p_observed_data[] = {
    TS("first_observed", REQ),
    TS("last_observed", REQ),
    RANGE("number_observed", REQ, 1, 999999999),
    REFS("object_refs", 0, t_sco_sro),
    P("objects", OBSERVED_OBJECTS, 0),
};
static const stix_prop p_opinion[] = {
    STRS("authors", 0),
    STR("explanation", 0),
    REFS("object_refs", REQ, t_any),
    ENUM("opinion", REQ, e_opinion),
};
static const stix_prop p_report[] = {
    STR("description", 0),
    STR("name", REQ),
    REFS("object_refs", REQ, t_any),
    TS("published", REQ),
    VOCS("report_types", 0, v_report_type),
};
static const stix_prop p_threat_actor[] = {
    STRS("aliases", 0),
    STR("description", 0),
    TS("first_seen", 0),
    STRS("goals", 0),
    TS("last_seen", 0),
    STR("name", REQ),
    VOCS("personal_motivations", 0, v_motivation),
    VOC("primary_motivation", 0, v_motivation),
    VOC("resource_level", 0, v_resource_level),
    VOCS("roles", 0, v_ta_role),
    VOCS("secondary_motivations", 0, v_motivation),
    VOC("sophistication", 0, v_ta_sophistication),
    VOCS("threat_actor_types", 0, v_ta_type),
};
static const stix_prop p_tool[] = {
    STRS("aliases", 0),
    STR("description", 0),
    KCP(0),
    STR("name", REQ),
    VOCS("tool_types", 0, v_tool_type),
    STR("tool_version", 0),
};
static const stix_prop p_vulnerability[] = {
    STR("description", 0),
    STR("name", REQ),
};

/* ---- SROs (section 5) ----------------------------------------------------- */

static const stix_prop p_relationship[] = {
    STR("description", 0),
    STR("relationship_type", REQ),
    REF("source_ref", REQ, t_sdo_sco),
    TS("start_time", 0),
    TS("stop_time", 0),
    REF("target_ref", REQ, t_sdo_sco),
};
static const stix_prop p_sighting[] = {
    RANGE("count", 0, 0, 999999999),
    STR("description", 0),
    TS("first_seen", 0),
    TS("last_seen", 0),
    REFS("observed_data_refs", 0, t_observed_data),
    REF("sighting_of_ref", REQ, t_sdo),
    BOOL("summary", 0),
    REFS("where_sighted_refs", 0, t_identity_location),
};

/* ---- SCOs (section 6) ----------------------------------------------------- */

#define SCO(nm, sec, pl, chk) DEF(nm, STIX_KIND_SCO, sec, pl, &stix__common_sco, chk, NULL)

static const stix_prop p_artifact[] = {
    STR("decryption_key", 0),
    ENUM("encryption_algorithm", 0, e_encryption),
    HASHES(0),
    STR("mime_type", 0),
    P("payload_bin", BINARY, 0),
    STR("url", 0),
};
static const stix_prop p_autonomous_system[] = {
    STR("name", 0),
    INT("number", REQ),
    STR("rir", 0),
};
static const stix_prop p_directory[] = {
    TS("atime", 0),   REFS("contains_refs", 0, t_file_directory),
    TS("ctime", 0),   TS("mtime", 0),
    STR("path", REQ), STR("path_enc", 0),
};
static const stix_prop p_domain_name[] = {
    REFS("resolves_to_refs", 0, t_ip_domain),
    STR("value", REQ),
};
static const stix_prop p_email_addr[] = {
    REF("belongs_to_ref", 0, t_user),
    STR("display_name", 0),
    STR("value", REQ),
};
static const stix_prop p_email_message[] = {
    P("additional_header_fields", DICT, 0),
    REFS("bcc_refs", 0, t_email_addr),
    STR("body", 0),
    OBJS("body_multipart", 0, &mime_part),
    REFS("cc_refs", 0, t_email_addr),
    STR("content_type", 0),
    TS("date", 0),
    REF("from_ref", 0, t_email_addr),
    BOOL("is_multipart", REQ),
    STR("message_id", 0),
    REF("raw_email_ref", 0, t_artifact),
    STRS("received_lines", 0),
    REF("sender_ref", 0, t_email_addr),
    STR("subject", 0),
    REFS("to_refs", 0, t_email_addr),
};
static const stix_prop p_file[] = {
    TS("atime", 0),
    REFS("contains_refs", 0, t_sco),
    REF("content_ref", 0, t_artifact),
    TS("ctime", 0),
    EXTS(&file_exts),
    HASHES(0),
    P("magic_number_hex", HEX, 0),
    STR("mime_type", 0),
    TS("mtime", 0),
    STR("name", 0),
    STR("name_enc", 0),
    REF("parent_directory_ref", 0, t_directory),
    UINT("size"),
};
static const stix_prop p_ip_addr[] = {
    REFS("belongs_to_refs", 0, t_as),
    REFS("resolves_to_refs", 0, t_mac),
    STR("value", REQ),
};
static const stix_prop p_mac_addr[] = {STR("value", REQ)};
static const stix_prop p_mutex[] = {STR("name", REQ)};
static const stix_prop p_network_traffic[] = {
    UINT("dst_byte_count"),
    UINT("dst_packets"),
    REF("dst_payload_ref", 0, t_artifact),
    RANGE("dst_port", 0, 0, 65535),
    REF("dst_ref", 0, t_nt_end),
    REF("encapsulated_by_ref", 0, t_nt),
    REFS("encapsulates_refs", 0, t_nt),
    TS("end", 0),
    EXTS(&nt_exts),
    P("ipfix", DICT, 0),
    BOOL("is_active", 0),
    STRS("protocols", REQ),
    UINT("src_byte_count"),
    UINT("src_packets"),
    REF("src_payload_ref", 0, t_artifact),
    RANGE("src_port", 0, 0, 65535),
    REF("src_ref", 0, t_nt_end),
    TS("start", 0),
};
static const stix_prop p_process[] = {
    REFS("child_refs", 0, t_process),
    STR("command_line", 0),
    TS("created_time", 0),
    REF("creator_user_ref", 0, t_user),
    STR("cwd", 0),
    P("environment_variables", DICT, 0),
    EXTS(&process_exts),
    REF("image_ref", 0, t_file),
    BOOL("is_hidden", 0),
    REFS("opened_connection_refs", 0, t_nt),
    REF("parent_ref", 0, t_process),
    INT("pid", 0),
};
static const stix_prop p_software[] = {
    STR("cpe", 0),  STRS("languages", 0), STR("name", REQ),
    STR("swid", 0), STR("vendor", 0),     STR("version", 0),
};
static const stix_prop p_url[] = {STR("value", REQ)};
static const stix_prop p_user_account[] = {
    TS("account_created", 0),
    TS("account_expires", 0),
    TS("account_first_login", 0),
    TS("account_last_login", 0),
    STR("account_login", 0),
    VOC("account_type", 0, v_account_type),
    BOOL("can_escalate_privs", 0),
    STR("credential", 0),
    TS("credential_last_changed", 0),
    STR("display_name", 0),
    EXTS(&ua_exts),
    BOOL("is_disabled", 0),
    BOOL("is_privileged", 0),
    BOOL("is_service_account", 0),
    STR("user_id", 0),
};
static const stix_prop p_winreg_key[] = {
    REF("creator_user_ref", 0, t_user), STR("key", 0), TS("modified_time", 0), UINT("number_of_subkeys"),
    OBJS("values", 0, &winreg_value),
};
static const stix_prop p_x509[] = {
    HASHES(0),
    BOOL("is_self_signed", 0),
    STR("issuer", 0),
    STR("serial_number", 0),
    STR("signature_algorithm", 0),
    STR("subject", 0),
    STR("subject_public_key_algorithm", 0),
    INT("subject_public_key_exponent", 0),
    STR("subject_public_key_modulus", 0),
    TS("validity_not_after", 0),
    TS("validity_not_before", 0),
    STR("version", 0),
    OBJ("x509_v3_extensions", 0, &x509_v3),
};

/* ---- meta objects (section 7) --------------------------------------------- */

static const stix_prop p_language_content[] = {
    P("contents", DICT, REQ),
    TS("object_modified", 0),
    REF("object_ref", REQ, t_not_lc),
};
static const stix_prop p_marking_definition[] = {
    OBJ("definition", 0, NULL),
    VOC("definition_type", 0, v_marking_type),
    STR("name", 0),
};
static const stix_prop p_extension_definition[] = {
    STR("description", 0),
    STRS("extension_properties", 0),
    ENUMS("extension_types", REQ, e_extension_type),
    STR("name", REQ),
    STR("schema", REQ),
    STR("version", REQ),
};

/* ---- the types, sorted by name -------------------------------------------- */

static const stix_def d_attack_pattern = SDO("attack-pattern", "4.1", p_attack_pattern, NULL, NULL);
static const stix_def d_campaign = SDO("campaign", "4.2", p_campaign, stix__check_seen, NULL);
static const stix_def d_course_of_action = SDO("course-of-action", "4.3", p_course_of_action, NULL, NULL);
static const stix_def d_grouping = SDO("grouping", "4.4", p_grouping, NULL, NULL);
static const stix_def d_identity = SDO("identity", "4.5", p_identity, NULL, NULL);
static const stix_def d_incident = SDO("incident", "4.6", p_incident, NULL, NULL);
static const stix_def d_indicator =
    SDO("indicator", "4.7", p_indicator, stix__check_indicator, "indicator_types");
static const stix_def d_infrastructure =
    SDO("infrastructure", "4.8", p_infrastructure, stix__check_seen, NULL);
static const stix_def d_intrusion_set = SDO("intrusion-set", "4.9", p_intrusion_set, stix__check_seen, NULL);
static const stix_def d_location = SDO("location", "4.10", p_location, stix__check_location, NULL);
static const stix_def d_malware = SDO("malware", "4.11", p_malware, stix__check_malware, "malware_types");
static const stix_def d_malware_analysis =
    SDO("malware-analysis", "4.12", p_malware_analysis, stix__check_malware_analysis, NULL);
static const stix_def d_note = SDO("note", "4.13", p_note, NULL, NULL);
static const stix_def d_observed_data =
    SDO("observed-data", "4.14", p_observed_data, stix__check_observed_data, NULL);
static const stix_def d_opinion = SDO("opinion", "4.15", p_opinion, NULL, NULL);
static const stix_def d_report = SDO("report", "4.16", p_report, NULL, "report_types");
static const stix_def d_threat_actor =
    SDO("threat-actor", "4.17", p_threat_actor, stix__check_seen, "threat_actor_types");
static const stix_def d_tool = SDO("tool", "4.18", p_tool, NULL, "tool_types");
static const stix_def d_vulnerability = SDO("vulnerability", "4.19", p_vulnerability, NULL, NULL);

static const stix_def d_relationship = DEF("relationship", STIX_KIND_SRO, "5.1", p_relationship,
                                           &stix__common_sdo, stix__check_relationship, NULL);
static const stix_def d_sighting =
    DEF("sighting", STIX_KIND_SRO, "5.2", p_sighting, &stix__common_sdo, stix__check_sighting, NULL);

static const stix_def d_artifact = SCO("artifact", "6.1", p_artifact, stix__check_artifact);
static const stix_def d_autonomous_system = SCO("autonomous-system", "6.2", p_autonomous_system, NULL);
static const stix_def d_directory = SCO("directory", "6.3", p_directory, NULL);
static const stix_def d_domain_name = SCO("domain-name", "6.4", p_domain_name, NULL);
static const stix_def d_email_addr = SCO("email-addr", "6.5", p_email_addr, NULL);
static const stix_def d_email_message =
    SCO("email-message", "6.6", p_email_message, stix__check_email_message);
static const stix_def d_file = SCO("file", "6.7", p_file, stix__check_file);
static const stix_def d_ipv4_addr = SCO("ipv4-addr", "6.8", p_ip_addr, NULL);
static const stix_def d_ipv6_addr = SCO("ipv6-addr", "6.9", p_ip_addr, NULL);
static const stix_def d_mac_addr = SCO("mac-addr", "6.10", p_mac_addr, NULL);
static const stix_def d_mutex = SCO("mutex", "6.11", p_mutex, NULL);
static const stix_def d_network_traffic =
    SCO("network-traffic", "6.12", p_network_traffic, stix__check_network_traffic);
static const stix_def d_process = SCO("process", "6.13", p_process, stix__check_at_least_one);
static const stix_def d_software = SCO("software", "6.14", p_software, NULL);
static const stix_def d_url = SCO("url", "6.15", p_url, NULL);
static const stix_def d_user_account = SCO("user-account", "6.16", p_user_account, stix__check_at_least_one);
static const stix_def d_winreg_key =
    SCO("windows-registry-key", "6.17", p_winreg_key, stix__check_at_least_one);
static const stix_def d_x509 = SCO("x509-certificate", "6.18", p_x509, stix__check_at_least_one);

static const stix_def d_language_content = DEF("language-content", STIX_KIND_META, "7.1", p_language_content,
                                               &stix__common_sdo, stix__check_language_content, NULL);
static const stix_def d_marking_definition =
    DEF("marking-definition", STIX_KIND_META, "7.2.1", p_marking_definition, &common_marking,
        stix__check_marking_definition, NULL);
static const stix_def d_extension_definition =
    DEF("extension-definition", STIX_KIND_META, "7.3", p_extension_definition, &common_extdef,
        stix__check_extension_definition, NULL);

const stix_def *const stix__types[] = {
    &d_artifact,
    &d_attack_pattern,
    &d_autonomous_system,
    &d_campaign,
    &d_course_of_action,
    &d_directory,
    &d_domain_name,
    &d_email_addr,
    &d_email_message,
    &d_extension_definition,
    &d_file,
    &d_grouping,
    &d_identity,
    &d_incident,
    &d_indicator,
    &d_infrastructure,
    &d_intrusion_set,
    &d_ipv4_addr,
    &d_ipv6_addr,
    &d_language_content,
    &d_location,
    &d_mac_addr,
    &d_malware,
    &d_malware_analysis,
    &d_marking_definition,
    &d_mutex,
    &d_network_traffic,
    &d_note,
    &d_observed_data,
    &d_opinion,
    &d_process,
    &d_relationship,
    &d_report,
    &d_sighting,
    &d_software,
    &d_threat_actor,
    &d_tool,
    &d_url,
    &d_user_account,
    &d_vulnerability,
    &d_winreg_key,
    &d_x509,
};
const size_t stix__ntypes = sizeof stix__types / sizeof stix__types[0];

/* ---- lookups ---------------------------------------------------------------- */

/* strcmp, with the first character compared inline: most probes differ there. */
static inline int name_cmp(const char *a, const char *b)
{
    int c = (unsigned char)a[0] - (unsigned char)b[0];
    return c || !a[0] ? c : strcmp(a + 1, b + 1);
}

const stix_def *stix__def_find(const char *type)
{
    if (!type)
        return NULL;
    size_t lo = 0, hi = stix__ntypes;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = name_cmp(type, stix__types[mid]->name);
        if (c == 0)
            return stix__types[mid];
        if (c < 0)
            hi = mid;
        else
            lo = mid + 1;
    }
    return NULL;
}

const stix_prop *stix__prop_find(const stix_def *d, const char *name)
{
    size_t lo = 0, hi = d->nprops;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = name_cmp(name, d->props[mid].name);
        if (c == 0)
            return &d->props[mid];
        if (c < 0)
            hi = mid;
        else
            lo = mid + 1;
    }
    return NULL;
}

/* Checks one definition and, recursively, the structures it names. */
static int def_check(const stix_def *d, const char **bad)
{
    for (size_t i = 0; i < d->nprops; i++) {
        const stix_prop *p = &d->props[i];
        if (i > 0 && strcmp(d->props[i - 1].name, p->name) >= 0) {
            *bad = p->name;
            return -1;
        }
        if ((p->kind == STIX_VK_REF || p->kind == STIX_VK_REFS) && !p->to) {
            *bad = p->name;
            return -1;
        }
        if (p->sub && def_check(p->sub, bad))
            return -1;
    }
    if (d->common && def_check(d->common, bad))
        return -1;
    return 0;
}

int stix__table_check(const char **bad)
{
    for (size_t i = 0; i < stix__ntypes; i++) {
        if (i > 0 && strcmp(stix__types[i - 1]->name, stix__types[i]->name) >= 0) {
            *bad = stix__types[i]->name;
            return -1;
        }
        if (def_check(stix__types[i], bad))
            return -1;
    }
    return 0;
}
