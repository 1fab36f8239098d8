/*
 * cmd_user.c - vigil user add|list|remove|passwd: the accounts of the TAXII
 * server. Passwords are read from a prompt without echo, or from the first
 * line of standard input with --password-stdin, and stored only as argon2id
 * hashes (taxii_password_hash).
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "cli/cli.h"
#include "core/vg_uuid.h"
#include "store/store.h"
#include "taxii/taxii.h"

static const char usage[] =
    "usage: vigil user add NAME --org IDENTITY-ID [--password-stdin | --no-password] [--store PATH]\n"
    "       vigil user list [--json] [--store PATH]\n"
    "       vigil user remove NAME [--store PATH]\n"
    "       vigil user passwd NAME [--password-stdin] [--store PATH]\n"
    "\n"
    "Accounts of the TAXII server ('vigil serve'). Each belongs to an organisation,\n"
    "a STIX identity id (identity--UUID), which the TLP rules use. The password is\n"
    "asked twice without echo, or read from the first line of standard input with\n"
    "--password-stdin; it is stored only as an argon2id hash. --no-password makes\n"
    "an account that can only use bearer tokens ('vigil token add').\n";

/* Reads one line (without its newline) into buf; 0 or -1. */
static int read_line(FILE *f, char *buf, size_t n)
{
    if (!fgets(buf, (int)n, f))
        return -1;
    size_t len = strlen(buf);
    if (len && buf[len - 1] == '\n')
        buf[--len] = '\0';
    else if (len == n - 1)
        return -1; /* too long */
    if (len && buf[len - 1] == '\r')
        buf[--len] = '\0';
    return 0;
}

/*
 * Asks for a password without echo on the terminal, or reads it from stdin.
 * With confirm set the terminal asks twice and the two must agree: right when
 * the password is being chosen (user add/passwd, a peer's stored secret), not
 * when it opens something that exists (a backup: a typo there is "wrong password").
 */
int cli_read_password(const char *cmd, int from_stdin, int confirm, char *buf, size_t n)
{
    if (from_stdin) {
        if (read_line(stdin, buf, n) != 0 || !buf[0]) {
            fprintf(stderr, "vigil %s: no password on standard input (one line, at most %zu characters)\n", cmd,
                    n - 2);
            return -1;
        }
        return 0;
    }
    FILE *tty = fopen("/dev/tty", "r+");
    if (!tty) {
        fprintf(stderr, "vigil %s: no terminal to ask for a password; use --password-stdin\n", cmd);
        return -1;
    }
    struct termios old, quiet;
    int fd = fileno(tty), rc = -1;
    char again[TAXII_PASSWORD_MAX + 2];
    if (tcgetattr(fd, &old) == 0) {
        quiet = old;
        quiet.c_lflag &= ~(tcflag_t)ECHO;
        tcsetattr(fd, TCSAFLUSH, &quiet);
        fputs("password: ", tty);
        fflush(tty);
        int a = read_line(tty, buf, n), b = 0;
        if (confirm && a == 0) {
            fputs("\nagain: ", tty);
            fflush(tty);
            b = read_line(tty, again, sizeof again);
        }
        fputs("\n", tty);
        tcsetattr(fd, TCSAFLUSH, &old);
        if (a || b || !buf[0])
            fprintf(stderr, "vigil %s: no password given\n", cmd);
        else if (confirm && strcmp(buf, again) != 0)
            fprintf(stderr, "vigil %s: the two passwords differ\n", cmd);
        else
            rc = 0;
    }
    OPENSSL_cleanse(again, sizeof again);
    fclose(tty);
    return rc;
}

static int print_account(const store_account *a, void *ctx)
{
    int json = *(int *)ctx;
    if (json)
        printf("{\"name\":\"%s\",\"org\":\"%s\"}\n", a->name, a->org);
    else
        printf("%-24s %s\n", a->name, a->org);
    return 0;
}

int cmd_user(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"store", required_argument, NULL, 's'}, {"org", required_argument, NULL, 'o'},
        {"password-stdin", no_argument, NULL, 'p'}, {"no-password", no_argument, NULL, 'n'},
        {"json", no_argument, NULL, 'j'},         {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *store_opt = NULL, *org = NULL;
    int from_stdin = 0, no_password = 0, json = 0, c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        switch (c) {
        case 's': store_opt = optarg; break;
        case 'o': org = optarg; break;
        case 'p': from_stdin = 1; break;
        case 'n': no_password = 1; break;
        case 'j': json = 1; break;
        case 'h': fputs(usage, stdout); return CLI_EXIT_OK;
        default: fputs(usage, stderr); return CLI_EXIT_FAIL;
        }
    }
    if (optind >= argc) {
        fputs(usage, stderr);
        return CLI_EXIT_FAIL;
    }
    const char *verb = argv[optind];
    const char *name = optind + 1 < argc ? argv[optind + 1] : NULL;
    int need_name = strcmp(verb, "list") != 0;
    if (strcmp(verb, "add") && strcmp(verb, "list") && strcmp(verb, "remove") && strcmp(verb, "passwd")) {
        fprintf(stderr, "vigil user: no verb '%s' (add, list, remove, passwd)\n", verb);
        return CLI_EXIT_FAIL;
    }
    if ((need_name && (!name || optind + 2 != argc)) || (!need_name && optind + 1 != argc)) {
        fputs(usage, stderr);
        return CLI_EXIT_FAIL;
    }
    if (name && (strlen(name) >= sizeof ((store_account *)0)->name || strchr(name, ':') || !name[0])) {
        fprintf(stderr, "vigil user: account names have 1 to 63 characters and no ':'\n");
        return CLI_EXIT_FAIL;
    }
    if (strcmp(verb, "add") == 0) {
        if (!org || strncmp(org, "identity--", 10) != 0 || !vg_uuid_check(org + 10, strlen(org + 10), NULL)) {
            fprintf(stderr, "vigil user add: --org must be a STIX identity id (identity--UUID) naming the "
                            "account's organisation\n");
            return CLI_EXIT_FAIL;
        }
    }
    char password[TAXII_PASSWORD_MAX + 2] = "", hash[TAXII_PWHASH_MAX] = "";
    vg_error err = {0};
    int rc = 0;
    if ((strcmp(verb, "add") == 0 && !no_password) || strcmp(verb, "passwd") == 0) {
        if (cli_read_password("user", from_stdin, 1, password, sizeof password) != 0)
            return CLI_EXIT_FAIL;
        rc = taxii_password_hash(password, hash, &err);
        OPENSSL_cleanse(password, sizeof password);
    }
    store *s = NULL;
    if (!rc)
        rc = store_open(cli_store_path(store_opt), strcmp(verb, "list") == 0 ? 0 : STORE_CREATE, &s, &err);
    if (!rc) {
        if (strcmp(verb, "add") == 0)
            rc = store_account_add(s, name, org, hash, &err);
        else if (strcmp(verb, "passwd") == 0)
            rc = store_account_set_password(s, name, hash, &err);
        else if (strcmp(verb, "remove") == 0)
            rc = store_account_remove(s, name, &err);
        else
            rc = store_accounts_list(s, print_account, &json, &err);
    }
    store_close(s);
    OPENSSL_cleanse(hash, sizeof hash);
    if (rc) {
        cli_print_error("user", &err);
        return CLI_EXIT_FAIL;
    }
    if (strcmp(verb, "add") == 0)
        fprintf(stderr, "vigil user: added %s (%s)%s\n", name, org,
                no_password ? "; it has no password: give it a token with 'vigil token add'" : "");
    else if (strcmp(verb, "remove") == 0)
        fprintf(stderr, "vigil user: removed %s with its tokens and rights\n", name);
    else if (strcmp(verb, "passwd") == 0)
        fprintf(stderr, "vigil user: changed the password of %s\n", name);
    return CLI_EXIT_OK;
}
