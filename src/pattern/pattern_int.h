/*
 * pattern_int.h - the inside of the pattern module: arena, tokens, syntax
 * tree, the cyber-observable table, and the functions the files share.
 *
 * Layers, each in its own file:
 *   pat_arena.c   compile-scoped memory, freed in one go
 *   pat_lex.c     bytes -> tokens (a table-driven scanner)
 *   pat_parse.c   tokens -> syntax tree (recursive descent, one error hook)
 *   pat_sco.c     the STIX 2.1 cyber-observable definitions, as a table
 *   pat_check.c   meaning: types, literals, regexes, qualifiers
 *   pat_compile.c the public compile/check entry points, leaves, diagnostics
 *   pat_net.c     IPv4/IPv6 addresses and CIDR ranges
 *   pat_obs.c     observed-data -> observations
 *   pat_eval.c    evaluation of a compiled pattern over observations
 */
#ifndef PAT_PATTERN_INT_H
#define PAT_PATTERN_INT_H

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <stdint.h>

#include "pattern/pattern.h"

/* ---- arena ---------------------------------------------------------------- */

typedef struct pat__chunk pat__chunk;

/*
 * A bump allocator over a list of chunks, all freed by pat__arena_free. The
 * first chunk may be caller-provided (embedded in a bigger struct), so that a
 * small pattern compiles with a single malloc.
 */
typedef struct pat__arena {
    char *cur;         /* next free byte in the current chunk */
    char *end;         /* end of the current chunk */
    pat__chunk *heap;  /* chunks from vg_malloc, newest first */
    size_t allocated;  /* bytes taken from the heap, for statistics */
} pat__arena;

void pat__arena_init(pat__arena *a, void *first, size_t first_size);
/* Returns size bytes aligned to 8, or NULL when out of memory. */
void *pat__arena_alloc(pat__arena *a, size_t size);
/* Copies s[0..n) into the arena, NUL-terminated. */
char *pat__arena_strndup(pat__arena *a, const char *s, size_t n);
void pat__arena_free(pat__arena *a);

/* ---- tokens ---------------------------------------------------------------- */

enum pat__tok {
    TK_EOF = 0,
    TK_LBRACK, TK_RBRACK, TK_LPAREN, TK_RPAREN, TK_COLON, TK_DOT, TK_COMMA, TK_STAR,
    TK_EQ, TK_NEQ, TK_LT, TK_LE, TK_GT, TK_GE,
    /* keywords */
    TK_AND, TK_OR, TK_NOT, TK_FOLLOWEDBY, TK_LIKE, TK_MATCHES, TK_ISSUBSET, TK_ISSUPERSET,
    TK_EXISTS, TK_IN, TK_START, TK_STOP, TK_SECONDS, TK_WITHIN, TK_REPEATS, TK_TIMES, TK_LAST,
    /* identifiers */
    TK_IDENT,   /* [a-zA-Z_][a-zA-Z0-9_]* */
    TK_IDENT_H, /* an identifier with hyphens (object types only) */
    /* literals */
    TK_INT, TK_FLOAT, TK_STRING, TK_BOOL, TK_BINARY, TK_HEX, TK_TIMESTAMP,
    TK_OTHER, /* a character the language does not use: + - ^ / ? ... */
};

/* One token. Text is a slice of the source; literal values are decoded. */
typedef struct pat__token {
    int kind;        /* TK_* */
    size_t off;      /* byte offset of its first character */
    size_t len;      /* bytes of source it covers */
    int sign;        /* INT/FLOAT: 1 when written with a leading '-' */
    pat_value val;   /* decoded value of a literal token */
} pat__token;

/* The lexer: produces one token at a time into `tok`. */
typedef struct pat__lexer {
    const char *src;   /* the pattern */
    size_t len;        /* its length */
    size_t pos;        /* next byte to read */
    pat__arena *arena; /* where decoded literals go */
    int version;       /* PAT_STIX_21 / PAT_STIX_20 */
} pat__lexer;

/* ---- syntax tree ----------------------------------------------------------- */

enum pat__node_kind {
    N_FOLLOWEDBY = 0, /* kids in time order */
    N_OBS_OR,         /* any kid */
    N_OBS_AND,        /* every kid, on distinct observations */
    N_OBS,            /* [ comparison expression ] */
    N_WITHIN,         /* kid WITHIN n SECONDS */
    N_REPEATS,        /* kid REPEATS n TIMES */
    N_STARTSTOP,      /* kid START t STOP t */
    N_CMP_OR,         /* any kid */
    N_CMP_AND,        /* every kid */
    N_TEST,           /* path op literal */
};

/* Value kinds of cyber-observable properties (the table in pat_sco.c). */
enum pat__kind {
    K_UNKNOWN = 0, /* not in the table (custom): anything goes */
    K_STRING,
    K_INT,
    K_FLOAT,
    K_BOOL,
    K_TIMESTAMP,
    K_BINARY,  /* base64 in JSON (*_bin) */
    K_HEX,     /* hex in JSON (*_hex) */
    K_REF,     /* an identifier of another object */
    K_REFS,    /* a list of identifiers */
    K_HASHES,  /* a hashes dictionary */
    K_DICT,    /* a dictionary with free keys */
    K_OBJECT,  /* a structure with known keys (sub-table) */
    K_LIST,    /* a list of strings */
    K_LIST_OBJECT, /* a list of structures (sub-table) */
    K_EXTENSIONS,  /* the extensions dictionary */
};

/* One property in the cyber-observable table. */
typedef struct pat__prop {
    const char *name;             /* property name */
    int kind;                     /* K_* */
    const struct pat__prop *sub;  /* OBJECT / LIST_OBJECT / EXTENSIONS: their properties, NULL-terminated */
    const char *targets;          /* REF / REFS: space-separated object types referred to, or NULL */
} pat__prop;

/* Looks up a STIX 2.1 cyber-observable type; NULL when it is not one (custom). */
const pat__prop *pat__sco_props(const char *type);
/* Finds name in a NULL-terminated property list; NULL when absent. */
const pat__prop *pat__prop_find(const pat__prop *list, const char *name);
/* A short name for a kind ("integer", "timestamp"...). */
const char *pat__kind_name(int kind);

typedef struct pat__node pat__node;

struct pat__node {
    int kind;          /* N_* */
    size_t off;        /* byte offset where it starts (for diagnostics) */
    pat__node **kids;  /* AND/OR/FOLLOWEDBY: children; qualifiers and N_OBS: kids[0] */
    size_t nkids;      /* how many kids */
    int paren;         /* observation level: it was written inside ( ) */
    /* qualifiers */
    int64_t within_ns; /* N_WITHIN: the window in nanoseconds */
    int64_t repeats;   /* N_REPEATS: how many times */
    int64_t start_ns;  /* N_STARTSTOP: start (inclusive), ns since the epoch */
    int64_t stop_ns;   /* N_STARTSTOP: stop (exclusive) */
    size_t qual_off;   /* qualifiers: where the qualifier keyword is */
    size_t val_off;    /* qualifiers: where its (first) value is */
    /* N_OBS */
    size_t expr;             /* index of this observation expression */
    const char **types;      /* distinct object types its comparisons use */
    size_t ntypes;           /* how many */
    /* N_TEST */
    pat_leaf leaf;           /* the comparison, as exported */
    size_t type_slot;        /* index of leaf.object_type in the enclosing N_OBS types */
    int prop_kind;           /* K_* of the property the path ends at (K_UNKNOWN if not known) */
    size_t op_off;           /* where the operator is */
    size_t val_off_t;        /* where the literal is */
    pcre2_code *re;          /* MATCHES: the compiled regex */
    int re_bytes;            /* MATCHES: 1 = match bytes of a binary/hex property (no UTF) */
    const unsigned char *net; /* ISSUBSET/ISSUPERSET: the parsed network (pat__net) */
};

/* ---- compile state ---------------------------------------------------------- */

/* Everything a compilation shares: the parser, the checker and the compiler. */
typedef struct pat__ctx {
    const char *src;        /* the pattern */
    size_t len;             /* its length */
    pat_opts opts;          /* options with defaults filled in */
    pat__arena *arena;      /* where the tree goes */
    pat_diags *diags;       /* where diagnostics go (may be NULL) */
    vg_error *err;          /* the first error */
    int rc;                 /* the first error's code, 0 while none */
    size_t nobs;            /* observation expressions seen */
    size_t nleaves;         /* comparisons seen (after the check: in `leaves`) */
    const pat_leaf **leaves; /* the comparisons in source order, filled by pat__check */
    pcre2_general_context *gctx; /* PCRE2 allocator routed through vg_malloc */
    pcre2_code **regexes;   /* compiled regexes, to free with the pattern */
    size_t nregexes;        /* how many */
    size_t capregexes;      /* allocated */
} pat__ctx;

/*
 * Reports a diagnostic at `off`. For errors the first one also fills ctx->err
 * and ctx->rc; later ones only go to the list. Returns `code` (0 for warnings).
 * `expected` may be NULL.
 */
int pat__report(pat__ctx *c, int severity, int code, size_t off, const char *expected, const char *fmt, ...)
    __attribute__((format(printf, 6, 7)));

/* Line and 1-based column (characters, not bytes) of an offset. */
void pat__line_col(const char *src, size_t len, size_t off, unsigned *line, unsigned *col);

/* Lexer: init, then next token. Returns 0, or an error code (reported through c). */
void pat__lex_init(pat__lexer *lx, pat__ctx *c);
int pat__lex_next(pat__lexer *lx, pat__ctx *c, pat__token *tok);
/* A short description of a token kind for error messages ("']'", "a string"...). */
const char *pat__tok_name(int kind);

/* Parser: builds the tree into c->arena. Returns 0 or the first error code. */
int pat__parse(pat__ctx *c, pat__node **root);

/* Checker: walks the tree, reports meaning errors and warnings, compiles regexes. */
int pat__check(pat__ctx *c, pat__node *root);

/* Decoders shared by the lexer and the evaluator. */
/* Decodes base64 (with padding) into out (size >= n/4*3+3); returns bytes or -1. */
long pat__b64_decode(const char *s, size_t n, unsigned char *out);
/* Decodes hex into out (size >= n/2); returns bytes or -1. */
long pat__hex_decode(const char *s, size_t n, unsigned char *out);
/* Parses a timestamp the way patterns allow (leap second 60, any fraction length). */
int pat__time_parse(const char *s, size_t n, int64_t *ns);
/* Converts a vg_time to ns since the epoch, saturating. */
int64_t pat__time_ns(const vg_time *t);

/* ---- networks (pat_net.c) --------------------------------------------------- */

/* An IPv4 or IPv6 address or CIDR range; v4 addresses use the first 4 bytes. */
typedef struct pat__net {
    unsigned char family; /* 4 or 6 */
    unsigned char prefix; /* prefix length: 32/128 for a single address */
    unsigned char addr[16]; /* the address, network byte order, host bits kept as written */
} pat__net;

/* Parses "a.b.c.d", "a.b.c.d/n", IPv6 and IPv6/n. Returns 0 or -1. */
int pat__net_parse(const char *s, size_t n, pat__net *out);
/* 1 when every address of a is in b (same family), else 0. */
int pat__net_subset(const pat__net *a, const pat__net *b);

/* ---- compiled pattern ------------------------------------------------------- */

struct pat_pattern {
    pat__arena arena;        /* owns the tree, literals and leaves */
    const char *src;         /* the pattern text (in the arena) */
    size_t len;              /* its length */
    int version;             /* PAT_STIX_* */
    pat__node *root;         /* the tree */
    size_t nobs;             /* observation expressions */
    const pat_leaf **leaves; /* the comparisons, in source order */
    size_t nleaves;          /* how many */
    int simple_disjunction;  /* see pat_is_simple_disjunction */
    pcre2_code **regexes;    /* compiled regexes (vg_malloc'd array) */
    size_t nregexes;         /* how many */
    pcre2_general_context *gctx; /* the PCRE2 allocator context */
    /* the first arena chunk follows the struct */
};

/* ---- observations (pat_obs.c) ------------------------------------------------ */

/* One cyber-observable an observation refers to (a "root" for matching). */
typedef struct pat__root {
    const char *type; /* its type */
    const char *id;   /* its id (2.1) or key in `objects` (2.0) */
    json_t *obj;      /* the object (borrowed) */
} pat__root;

/* One observed-data object. */
typedef struct pat__obs {
    const char *id;    /* observed-data id ("" when absent) */
    int64_t first;     /* first_observed, ns since the epoch */
    int64_t last;      /* last_observed, ns since the epoch */
    int64_t count;     /* number_observed */
    size_t root0;      /* first of its roots in the set's roots array */
    size_t nroots;     /* how many */
    json_t *objects;   /* 2.0: the objects dictionary (borrowed), for _ref lookups; NULL for 2.1 */
} pat__obs;

struct pat_observations {
    json_t *input;    /* the input (a reference is held) */
    json_t *by_id;    /* 2.1: id -> object for every object with an id */
    pat__obs *obs;    /* the observed-data, in input order */
    size_t nobs;      /* how many */
    pat__root *roots; /* all roots, grouped by observation */
    size_t nroots;    /* how many */
};

#endif
