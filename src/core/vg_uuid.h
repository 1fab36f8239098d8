/*
 * vg_uuid.h - UUIDs for STIX identifiers.
 *
 * STIX ids are "type--UUID". SDOs, SROs and bundles use random UUIDv4;
 * cyber-observables use UUIDv5 in the STIX namespace
 * 00abedb4-aa42-466c-9c01-fed23315a9b7 over their ID-contributing properties,
 * so that the same observable gets the same id everywhere.
 */
#ifndef VG_UUID_H
#define VG_UUID_H

#include <stddef.h>

#include "vg_error.h"

#define VG_UUID_STR 37 /* 36 characters and NUL */

/* The STIX 2.1 namespace for UUIDv5 identifiers of cyber-observables. */
#define VG_UUID_STIX_NAMESPACE "00abedb4-aa42-466c-9c01-fed23315a9b7"

/* A random (version 4) UUID from the kernel's CSPRNG. VG_E_IO if none is available. */
int vg_uuid_v4(char out[VG_UUID_STR], vg_error *err);

/* The version 5 (SHA-1, name-based) UUID of name[0..n) in the namespace ns (text form). */
int vg_uuid_v5(const char *ns, const char *name, size_t n, char out[VG_UUID_STR], vg_error *err);

/*
 * Checks the text form of a UUID (8-4-4-4-12 hex digits, lower or upper case).
 * Returns 1 if well-formed, 0 if not. Sets *version to the version nibble when non-NULL.
 */
int vg_uuid_check(const char *s, size_t n, int *version);

#endif
