/*
 * ev_json.c - the JSON path of a byte inside one JSON line.
 *
 * JSON lines are scanned as text (the extractor is many times faster than a
 * JSON parser), so a hit knows its byte offset, not its field. For the rare
 * hit, this small resumable-free state machine walks the line once, keeping a
 * stack of (object key | array index), and names the string value that holds
 * the byte: "$.request.headers.host", "$.answers[2].data".
 */
#include <stdio.h>
#include <string.h>

#include "evidence/ev.h"

#define MAX_DEPTH 32

typedef struct frame {
    int array;       /* 1 for [...], 0 for {...} */
    long index;      /* array: the current element */
    const char *key; /* object: the current key (raw, between the quotes) */
    size_t key_len;
} frame;

/* End of the string whose opening quote is at i (index of the closing quote), or len. */
static size_t string_end(const char *s, size_t len, size_t i)
{
    for (size_t k = i + 1; k < len; k++) {
        if (s[k] == '\\')
            k++;
        else if (s[k] == '"')
            return k;
    }
    return len;
}

static int ident(const char *k, size_t n)
{
    if (n == 0)
        return 0;
    for (size_t i = 0; i < n; i++) {
        char c = k[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == '-' ||
              (i > 0 && c >= '0' && c <= '9')))
            return 0;
    }
    return 1;
}

static int write_path(const frame *st, int depth, char *out, size_t cap)
{
    size_t o = 0;
    int n = snprintf(out, cap, "$");
    if (n < 0 || (size_t)n >= cap)
        return -1;
    o = (size_t)n;
    for (int d = 0; d < depth; d++) {
        if (st[d].array)
            n = snprintf(out + o, cap - o, "[%ld]", st[d].index);
        else if (ident(st[d].key, st[d].key_len))
            n = snprintf(out + o, cap - o, ".%.*s", (int)st[d].key_len, st[d].key);
        else
            n = snprintf(out + o, cap - o, "['%.*s']", (int)st[d].key_len, st[d].key);
        if (n < 0 || (size_t)n >= cap - o)
            return -1;
        o += (size_t)n;
    }
    return 0;
}

int ev_json_path(const char *s, size_t len, size_t at, char *out, size_t cap)
{
    frame st[MAX_DEPTH];
    int depth = 0, want_key = 0;
    size_t i = 0;
    while (i < len && (s[i] == ' ' || s[i] == '\t'))
        i++;
    if (i >= len || s[i] != '{')
        return -1;
    while (i < len) {
        char c = s[i];
        switch (c) {
        case '{':
        case '[':
            if (depth == MAX_DEPTH)
                return -1;
            st[depth].array = c == '[';
            st[depth].index = 0;
            st[depth].key = "";
            st[depth].key_len = 0;
            depth++;
            want_key = c == '{';
            i++;
            break;
        case '}':
        case ']':
            if (depth == 0)
                return -1;
            depth--;
            want_key = 0;
            i++;
            break;
        case ',':
            if (depth > 0 && st[depth - 1].array)
                st[depth - 1].index++;
            else
                want_key = 1;
            i++;
            break;
        case '"': {
            size_t e = string_end(s, len, i);
            if (depth > 0 && !st[depth - 1].array && want_key) {
                st[depth - 1].key = s + i + 1;
                st[depth - 1].key_len = e - i - 1;
                want_key = 0;
            } else if (at > i && at < e) {
                return depth > 0 ? write_path(st, depth, out, cap) : -1;
            }
            i = e + 1;
            break;
        }
        default:
            if (at == i && depth > 0 && c != ' ' && c != ':' && c != '\t')
                return write_path(st, depth, out, cap); /* a number or literal */
            i++;
            break;
        }
    }
    return -1;
}
