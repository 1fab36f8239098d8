/*
 * fuzz_phone_age.c - libFuzzer target for age-encrypted files
 * (src/phone/phone_age.c), as AndroidQF writes its encrypted acquisitions:
 * any bytes go through the header parser and, when it accepts them, the
 * whole decryption with one X25519 identity (the age testkit's) and no
 * passphrase (an scrypt header is refused before any key stretching). Must
 * be parsed or refused without a crash, a leak or a read out of bounds;
 * what is parsed must hold within its fixed fields and the buffer.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/vg_alloc.h"
#include "phone/phone.h"

static phone_age_identity *id;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!id) {
        static const char key[] = "AGE-SECRET-KEY-1XMWWC06LY3EE5RYTXM9MFLAZ2U56JJJ36S0MYPDRWSVLUL66MV4QX3S7F6\n";
        vg_error e = {0};
        vg_alloc_init();
        if (phone_age_identity_parse(key, sizeof key - 1, "fuzz", &id, &e) != 0)
            abort();
    }
    unsigned char *buf = malloc(size ? size : 1); /* no slack: reads past the end are caught */
    memcpy(buf, data, size);
    phone_age_header *h = malloc(sizeof *h);
    vg_error err = {0};
    if (phone_age_header_parse(buf, size, h, &err) == 0) {
        if (!h->n || h->n > PHONE_AGE_MAX_STANZAS || h->payload > size || h->mac_len >= h->payload)
            abort();
        for (size_t i = 0; i < h->n; i++)
            if (h->stanza[i].arg_len > sizeof h->stanza[i].arg ||
                !memchr(h->stanza[i].type, 0, sizeof h->stanza[i].type))
                abort();
        size_t plain = 0;
        if (phone_age_decrypt(buf, size, id, NULL, NULL, "fuzz.age", &plain, &err) == 0 && plain > size)
            abort();
    }
    /* the identity reader on the same bytes */
    phone_age_identity *other = NULL;
    if (phone_age_identity_parse((const char *)data, size, "fuzz", &other, &err) == 0 &&
        phone_age_identity_count(other) == 0)
        abort();
    phone_age_identity_free(other);
    free(h);
    free(buf);
    return 0;
}
