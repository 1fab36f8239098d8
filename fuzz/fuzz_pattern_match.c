/*
 * fuzz_pattern_match.c - libFuzzer target for parse + evaluate. The input is
 * a pattern, optionally followed by a line "---" and JSON observations
 * (bundle, list or observed-data); without them a fixed STIX 2.1 + 2.0 set
 * is used. Whatever compiles is matched: it must return a verdict or a clean
 * error, with bindings that point into the pattern and the observations.
 */
#include <jansson.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "core/vg_alloc.h"
#include "pattern/pattern.h"

static const char fixed[] =
    "[{\"type\":\"observed-data\",\"id\":\"observed-data--1\",\"first_observed\":\"2020-01-01T00:00:00Z\","
    "\"last_observed\":\"2020-01-01T00:00:05Z\",\"number_observed\":3,\"object_refs\":[\"file--1\",\"ipv4-addr--1\","
    "\"network-traffic--1\"]},"
    "{\"type\":\"file\",\"id\":\"file--1\",\"name\":\"a.exe\",\"size\":1024,\"hashes\":{\"MD5\":"
    "\"cead3f77f6cda6ec00f57d76c9a6879f\"},\"magic_number_hex\":\"ffd8\",\"ctime\":\"2014-01-13T07:03:17Z\","
    "\"extensions\":{\"windows-pebinary-ext\":{\"sections\":[{\"name\":\".text\",\"entropy\":7.5}]}}},"
    "{\"type\":\"ipv4-addr\",\"id\":\"ipv4-addr--1\",\"value\":\"10.1.2.3\"},"
    "{\"type\":\"network-traffic\",\"id\":\"network-traffic--1\",\"dst_ref\":\"ipv4-addr--1\",\"dst_port\":443,"
    "\"protocols\":[\"tcp\"]},"
    "{\"type\":\"observed-data\",\"id\":\"observed-data--2\",\"first_observed\":\"2020-01-01T00:01:00Z\","
    "\"last_observed\":\"2020-01-01T00:01:00Z\",\"number_observed\":1,\"objects\":{\"0\":{\"type\":\"artifact\","
    "\"payload_bin\":\"dGhpcyBpcyBhIHRlc3Q=\"},\"1\":{\"type\":\"ipv6-addr\",\"value\":\"2001:db8::1\"},"
    "\"2\":{\"type\":\"file\",\"name\":\"b.exe\",\"parent_directory_ref\":\"3\"},\"3\":{\"type\":\"directory\","
    "\"path\":\"C:\\\\x\"}}}]";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static json_t *fixed_json;
    if (!fixed_json) {
        vg_alloc_init();
        fixed_json = json_loads(fixed, 0, NULL);
    }
    const char *src = (const char *)data;
    size_t plen = size;
    json_t *j = NULL;
    const char *sep = memmem(data, size, "\n---\n", 5);
    if (sep) {
        plen = (size_t)(sep - src);
        j = json_loadb(sep + 5, size - plen - 5, 0, NULL);
    }
    pat_observations *o = NULL;
    vg_error err = {0};
    if (pat_observations_from_json(j ? j : fixed_json, &o, &err)) {
        json_decref(j);
        return 0;
    }
    pat_opts opts = {0};
    opts.no_warnings = 1;
    opts.max_depth = 32;
    pat_pattern *p = NULL;
    if (pat_compile(src, plen, &opts, &p, NULL, &err) == 0) {
        pat_result r = {0};
        if (pat_match(p, o, &r, &err) == 0 && r.matched) {
            for (size_t i = 0; i < r.nbindings; i++)
                if (r.bindings[i].expression >= pat_observation_count(p) ||
                    r.bindings[i].observation >= pat_observations_count(o))
                    __builtin_trap();
        }
        pat_result_free(&r);
        pat_free(p);
    }
    pat_observations_free(o);
    json_decref(j);
    return 0;
}
