/* Input journals (format and rules in machine/replay.h). */
#include "machine/replay.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cpu/le.h"
#include "machine/loader.h"
#include "machine/machine.h"
#include "machine/state.h"

static const uint8_t journal_magic[8] = { 'O', 'R', 'R', 'J', 'R', 'N', 'L', 0x1a };
#define JOURNAL_HEAD 36u
#define EVENT_HEAD 21u
#define JOURNAL_MAX_BYTES ((size_t)1 << 32)

void journal_init(struct journal *j, uint64_t check_interval, unsigned ram_every)
{
    memset(j, 0, sizeof *j);
    j->check_interval = check_interval;
    j->ram_every = ram_every ? ram_every : 1;
    j->next_check = check_interval;
    j->live = true;
}

static void drop_from(struct journal *j, size_t first)
{
    for (size_t i = first; i < j->count; i++)
        free(j->ev[i].data);
    if (first < j->count)
        j->count = first;
    if (j->cursor > j->count)
        j->cursor = j->count;
}

void journal_free(struct journal *j)
{
    drop_from(j, 0);
    free(j->ev);
    memset(j, 0, sizeof *j);
}

static int push(struct journal *j, uint8_t kind, uint64_t time_ns, uint64_t executed,
                uint8_t *data, uint32_t len)
{
    if (j->count == j->cap) {
        size_t cap = j->cap ? j->cap * 2 : 64;
        struct journal_event *n = realloc(j->ev, cap * sizeof *n);
        if (!n) {
            free(data);
            return -1;
        }
        j->ev = n;
        j->cap = cap;
    }
    j->ev[j->count++] = (struct journal_event){ .kind = kind, .time_ns = time_ns,
                                                .executed = executed, .len = len,
                                                .data = data };
    return 0;
}

void journal_drop_future(struct journal *j)
{
    drop_from(j, j->cursor);
}

static int add_live(struct journal *j, struct machine *m, uint8_t kind, const uint8_t *head,
                    size_t head_len, const void *body, size_t body_len)
{
    if (!j->live)
        return 0;
    journal_drop_future(j);
    size_t len = head_len + body_len;
    if (len > UINT32_MAX)
        return -1;
    uint8_t *data = malloc(len ? len : 1);
    if (!data)
        return -1;
    memcpy(data, head, head_len);
    if (body_len)
        memcpy(data + head_len, body, body_len);
    if (push(j, kind, m->clock.now_ns, m->executed, data, (uint32_t)len))
        return -1;
    j->cursor = j->count;
    return 0;
}

int journal_add_console(struct journal *j, struct machine *m, unsigned port,
                        const uint8_t *bytes, size_t len)
{
    uint8_t p = (uint8_t)port;
    return add_live(j, m, JOURNAL_CONSOLE, &p, 1, bytes, len);
}

int journal_add_input(struct journal *j, struct machine *m, const char *name, bool level)
{
    uint8_t l = level;
    return add_live(j, m, JOURNAL_INPUT, &l, 1, name, strlen(name));
}

#define UI_PAYLOAD 36u

int journal_add_ui(struct journal *j, struct machine *m, const struct input_event *ev)
{
    uint8_t p[UI_PAYLOAD];
    p[0] = (uint8_t)ev->cls;
    p[1] = ev->down;
    p[2] = ev->contact;
    p[3] = (uint8_t)ev->slot;
    le_store(p + 4, 4, ev->key);
    le_store(p + 8, 4, (uint32_t)ev->dx);
    le_store(p + 12, 4, (uint32_t)ev->dy);
    le_store(p + 16, 4, (uint32_t)ev->dz);
    le_store(p + 20, 4, ev->x);
    le_store(p + 24, 4, ev->y);
    le_store(p + 28, 4, ev->buttons);
    le_store(p + 32, 4, 0);
    return add_live(j, m, JOURNAL_UI, p, sizeof p, NULL, 0);
}

static bool ui_from_payload(const struct journal_event *e, struct input_event *ev)
{
    if (e->len != UI_PAYLOAD || e->data[0] >= INPUT_CLASSES || e->data[1] > 1 ||
        e->data[2] > 1 || e->data[3] >= INPUT_TOUCH_SLOTS)
        return false;
    const uint8_t *p = e->data;
    *ev = (struct input_event){
        .cls = (enum input_class)p[0],
        .down = p[1] != 0,
        .contact = p[2] != 0,
        .slot = p[3],
        .key = (unsigned)le_load(p + 4, 4),
        .dx = (int32_t)(uint32_t)le_load(p + 8, 4),
        .dy = (int32_t)(uint32_t)le_load(p + 12, 4),
        .dz = (int32_t)(uint32_t)le_load(p + 16, 4),
        .x = (uint32_t)le_load(p + 20, 4),
        .y = (uint32_t)le_load(p + 24, 4),
        .buttons = (unsigned)le_load(p + 28, 4),
    };
    return true;
}

/* CHECK/END payload: the sections' hashes. */
static uint8_t *hash_payload(const struct machine_hash *h, uint32_t *len)
{
    size_t n = 4;
    for (unsigned i = 0; i < h->count; i++)
        n += 1 + strlen(h->tag[i]) + 8;
    uint8_t *p = malloc(n), *q = p;
    if (!p)
        return NULL;
    for (unsigned b = 0; b < 4; b++)
        *q++ = (uint8_t)(h->count >> (8 * b));
    for (unsigned i = 0; i < h->count; i++) {
        size_t t = strlen(h->tag[i]);
        *q++ = (uint8_t)t;
        memcpy(q, h->tag[i], t);
        q += t;
        for (unsigned b = 0; b < 8; b++)
            *q++ = (uint8_t)(h->value[i] >> (8 * b));
    }
    *len = (uint32_t)n;
    return p;
}

static int parse_hashes(const struct journal_event *e, struct machine_hash *h)
{
    memset(h, 0, sizeof *h);
    const uint8_t *p = e->data, *end = e->data + e->len;
    if (e->len < 4)
        return -1;
    uint32_t count = (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
                     (uint32_t)p[3] << 24;
    p += 4;
    if (count > MACHINE_HASH_MAX)
        return -1;
    for (unsigned i = 0; i < count; i++) {
        if (p >= end)
            return -1;
        size_t t = *p++;
        if (t >= sizeof h->tag[i] || (size_t)(end - p) < t + 8)
            return -1;
        for (size_t k = 0; k < t; k++)
            if (p[k] < 0x21 || p[k] > 0x7e)
                return -1;          /* section tags are printable ASCII */
        memcpy(h->tag[i], p, t);
        h->tag[i][t] = '\0';
        p += t;
        uint64_t v = 0;
        for (unsigned b = 0; b < 8; b++)
            v |= (uint64_t)p[b] << (8 * b);
        p += 8;
        h->value[i] = v;
    }
    h->count = count;
    return p == end ? 0 : -1;
}

int journal_state_sum(struct machine *m, uint64_t *sum)
{
    struct machine_hash h;
    if (machine_hash(m, true, &h))
        return -1;
    /* Hash the values as little-endian bytes, the same on every host. */
    uint8_t bytes[MACHINE_HASH_MAX * 8];
    for (unsigned i = 0; i < h.count; i++)
        for (unsigned b = 0; b < 8; b++)
            bytes[i * 8 + b] = (uint8_t)(h.value[i] >> (8 * b));
    *sum = state_hash(bytes, h.count * 8u, h.count);
    return 0;
}

static int add_hashes(struct journal *j, struct machine *m, uint8_t kind, bool with_ram)
{
    struct machine_hash h;
    if (machine_hash(m, with_ram, &h))
        return -1;
    uint32_t len;
    uint8_t *data = hash_payload(&h, &len);
    if (!data || push(j, kind, m->clock.now_ns, m->executed, data, len))
        return -1;
    j->cursor = j->count;
    return 0;
}

int journal_start(struct journal *j, struct machine *m)
{
    return add_hashes(j, m, JOURNAL_CHECK, true);
}

int journal_checkpoint(struct journal *j, struct machine *m)
{
    if (!j->live || j->check_interval == 0 || m->executed < j->next_check ||
        journal_replaying(j))
        return 0;
    bool with_ram = ++j->checks_taken % j->ram_every == 0;
    while (j->next_check <= m->executed)
        j->next_check += j->check_interval;
    return add_hashes(j, m, JOURNAL_CHECK, with_ram);
}

int journal_end(struct journal *j, struct machine *m, uint64_t *sum)
{
    journal_drop_future(j);
    if (add_hashes(j, m, JOURNAL_END, true))
        return -1;
    return journal_state_sum(m, sum);
}

int journal_reset(struct journal *j, struct machine *m, char *msg, size_t msglen)
{
    if (journal_replaying(j)) {
        if (journal_apply_due(j, m, msg, msglen) == JOURNAL_DIVERGED)
            return -1;
        const struct journal_event *e = journal_replaying(j) ? &j->ev[j->cursor] : NULL;
        if (!e || e->kind != JOURNAL_RESET || e->time_ns != m->clock.now_ns ||
            e->executed != m->executed) {
            snprintf(msg, msglen, "replay diverged: the guest reset itself at instruction %llu, "
                     "where the recording did not", (unsigned long long)m->executed);
            return -1;
        }
        j->cursor++;
    } else if (j->live) {
        journal_drop_future(j);
        uint8_t *none = malloc(1);
        if (!none || push(j, JOURNAL_RESET, m->clock.now_ns, m->executed, none, 0)) {
            snprintf(msg, msglen, "out of memory while recording the input journal");
            return -1;
        }
        j->cursor = j->count;
    }
    j->epoch = j->cursor;
    j->next_check = j->check_interval;
    return 0;
}

uint64_t journal_slice(const struct journal *j, const struct machine *m, uint64_t slice_ns)
{
    if (!journal_replaying(j))
        return slice_ns;
    uint64_t t = j->ev[j->cursor].time_ns, now = m->clock.now_ns;
    if (t <= now)
        return 0;
    return t - now < slice_ns ? t - now : slice_ns;
}

void journal_seek(struct journal *j, const struct machine *m)
{
    size_t i = j->epoch;
    while (i < j->count && j->ev[i].time_ns <= m->clock.now_ns)
        i++;
    j->cursor = i;
    j->good_executed = m->executed;
    j->good_time = m->clock.now_ns;
    if (j->live && j->check_interval) {
        j->next_check = m->executed + j->check_interval;
        j->next_check -= j->next_check % j->check_interval;
    }
}

static void position_text(char *buf, size_t len, uint64_t executed, uint64_t time_ns)
{
    snprintf(buf, len, "instruction %llu (virtual time %llu.%09llu s)",
             (unsigned long long)executed, (unsigned long long)(time_ns / 1000000000ull),
             (unsigned long long)(time_ns % 1000000000ull));
}

static enum journal_apply diverged(struct journal *j, char *msg, size_t msglen,
                                   const char *what, uint64_t executed, uint64_t time_ns)
{
    char at[96], good[96];
    position_text(at, sizeof at, executed, time_ns);
    position_text(good, sizeof good, j->good_executed, j->good_time);
    snprintf(msg, msglen, "replay diverged between %s, the last checkpoint that matched, and %s: "
             "%s", good, at, what);
    return JOURNAL_DIVERGED;
}

/* Compares the machine with a CHECK or END event; fills what with the
 * sections that differ. */
static bool hashes_match(const struct journal_event *e, struct machine *m, char *what,
                         size_t len)
{
    struct machine_hash want, have;
    if (parse_hashes(e, &want)) {
        snprintf(what, len, "the journal's checkpoint is corrupt");
        return false;
    }
    bool with_ram = false;
    for (unsigned i = 0; i < want.count; i++)
        with_ram |= strcmp(want.tag[i], "memory") == 0;
    if (machine_hash(m, with_ram, &have)) {
        snprintf(what, len, "the machine state could not be hashed");
        return false;
    }
    size_t used = (size_t)snprintf(what, len, "the state differs in");
    bool same = true;
    for (unsigned i = 0; i < want.count; i++) {
        bool found = false;
        for (unsigned k = 0; k < have.count && !found; k++)
            if (strcmp(have.tag[k], want.tag[i]) == 0) {
                found = true;
                if (have.value[k] != want.value[i]) {
                    same = false;
                    if (used < len)
                        used += (size_t)snprintf(what + used, len - used, " %s",
                                                 want.tag[i]);
                }
            }
        if (!found) {
            same = false;
            if (used < len)
                used += (size_t)snprintf(what + used, len - used, " %s (absent)",
                                         want.tag[i]);
        }
    }
    if (have.count != want.count && same) {
        same = false;
        snprintf(what, len, "the machine has other sections than the recording's");
    }
    return same;
}

enum journal_apply journal_apply_due(struct journal *j, struct machine *m, char *msg,
                                     size_t msglen)
{
    while (journal_replaying(j)) {
        const struct journal_event *e = &j->ev[j->cursor];
        uint64_t now = m->clock.now_ns;
        if (e->time_ns > now)
            return JOURNAL_APPLIED;
        if (e->time_ns < now || e->executed != m->executed) {
            char what[256];
            char at[96];
            position_text(at, sizeof at, e->executed, e->time_ns);
            snprintf(what, sizeof what, "the recording has an input or checkpoint at %s, "
                     "which the replay did not reach in step", at);
            return diverged(j, msg, msglen, what, m->executed, now);
        }
        if (e->kind == JOURNAL_RESET)
            return JOURNAL_AT_RESET;        /* journal_reset consumes it */
        j->cursor++;
        switch (e->kind) {
        case JOURNAL_CONSOLE: {
            unsigned port = e->len ? e->data[0] : 0;
            size_t n = e->len ? e->len - 1u : 0;
            if (e->len < 1 || port >= m->nserial ||
                chardev_push(&m->serial[port], e->data + 1, n) != n)
                return diverged(j, msg, msglen, "a console did not take the recorded input",
                                m->executed, now);
            j->inputs_applied++;
            break;
        }
        case JOURNAL_INPUT: {
            char name[128];
            struct orr_error err = { { 0 } };
            if (e->len < 2 || e->len - 1u >= sizeof name)
                return diverged(j, msg, msglen, "the journal's input event is corrupt",
                                m->executed, now);
            memcpy(name, e->data + 1, e->len - 1u);
            name[e->len - 1u] = '\0';
            for (char *c = name; *c; c++)
                if ((unsigned char)*c < 0x20 || (unsigned char)*c > 0x7e)
                    return diverged(j, msg, msglen, "the journal's input event is corrupt",
                                    m->executed, now);
            if (machine_set_input(m, name, e->data[0] != 0, &err))
                return diverged(j, msg, msglen, err.msg, m->executed, now);
            j->inputs_applied++;
            break;
        }
        case JOURNAL_UI: {
            struct input_event ev;
            struct orr_error err = { { 0 } };
            if (!ui_from_payload(e, &ev))
                return diverged(j, msg, msglen, "the journal's input event is corrupt",
                                m->executed, now);
            if (machine_input(m, &ev, &err))
                return diverged(j, msg, msglen, err.msg, m->executed, now);
            j->inputs_applied++;
            break;
        }
        case JOURNAL_CHECK:
        case JOURNAL_END: {
            char what[400];
            if (!hashes_match(e, m, what, sizeof what))
                return diverged(j, msg, msglen, what, m->executed, now);
            j->good_executed = m->executed;
            j->good_time = now;
            if (e->kind == JOURNAL_END)
                return JOURNAL_AT_END;
            j->checks_matched++;
            break;
        }
        default:
            return diverged(j, msg, msglen, "the journal has an unknown event", m->executed,
                            now);
        }
    }
    return JOURNAL_APPLIED;
}

/* ---- files ---- */

int journal_write(const struct journal *j, const char *path, struct orr_error *err)
{
    size_t total = JOURNAL_HEAD;
    for (size_t i = 0; i < j->count; i++)
        total += EVENT_HEAD + j->ev[i].len;
    uint8_t *buf = malloc(total), *p = buf;
    if (!buf)
        return orr_fail(err, "%s: out of memory", path);
    memcpy(p, journal_magic, 8);
    le_store(p + 8, 4, JOURNAL_FORMAT_VERSION);
    le_store(p + 12, 4, 0);
    le_store(p + 16, 8, j->check_interval);
    le_store(p + 24, 4, j->ram_every);
    le_store(p + 28, 8, j->count);
    p += JOURNAL_HEAD;
    for (size_t i = 0; i < j->count; i++) {
        const struct journal_event *e = &j->ev[i];
        p[0] = e->kind;
        le_store(p + 1, 8, e->time_ns);
        le_store(p + 9, 8, e->executed);
        le_store(p + 17, 4, e->len);
        memcpy(p + EVENT_HEAD, e->data, e->len);
        p += EVENT_HEAD + e->len;
    }
    const void *parts[1] = { buf };
    size_t lens[1] = { total };
    int rc = write_file_atomic(path, parts, lens, 1, err);
    free(buf);
    return rc;
}

int journal_read(const char *path, struct journal *j, struct orr_error *err)
{
    uint8_t *buf = NULL;
    size_t len = 0;
    if (load_file(path, JOURNAL_MAX_BYTES, &buf, &len, err))
        return -1;
    int rc = -1;
    if (len < JOURNAL_HEAD || memcmp(buf, journal_magic, 8) != 0) {
        orr_fail(err, "%s: not an Orrery journal", path);
        goto out;
    }
    if (le_load(buf + 8, 4) != JOURNAL_FORMAT_VERSION) {
        orr_fail(err, "%s: journal format %llu is not supported (this build reads %u)", path,
                 (unsigned long long)le_load(buf + 8, 4), JOURNAL_FORMAT_VERSION);
        goto out;
    }
    journal_init(j, le_load(buf + 16, 8), (unsigned)le_load(buf + 24, 4));
    j->live = false;
    uint64_t count = le_load(buf + 28, 8);
    size_t pos = JOURNAL_HEAD;
    for (uint64_t i = 0; i < count; i++) {
        if (len - pos < EVENT_HEAD) {
            orr_fail(err, "%s: journal is truncated (event %llu of %llu)", path,
                     (unsigned long long)i, (unsigned long long)count);
            goto out;
        }
        const uint8_t *e = buf + pos;
        uint32_t elen = (uint32_t)le_load(e + 17, 4);
        if (len - pos - EVENT_HEAD < elen || e[0] < JOURNAL_CONSOLE || e[0] > JOURNAL_UI) {
            orr_fail(err, "%s: journal event %llu is corrupt", path, (unsigned long long)i);
            goto out;
        }
        uint8_t *data = malloc(elen ? elen : 1);
        if (!data || push(j, e[0], le_load(e + 1, 8), le_load(e + 9, 8), data, elen)) {
            orr_fail(err, "%s: out of memory", path);
            goto out;
        }
        memcpy(data, e + EVENT_HEAD, elen);
        const struct journal_event *prev = i ? &j->ev[i - 1] : NULL;
        if (prev && prev->kind != JOURNAL_RESET &&
            (prev->time_ns > j->ev[i].time_ns || prev->executed > j->ev[i].executed)) {
            orr_fail(err, "%s: journal event %llu goes back in time", path,
                     (unsigned long long)i);
            goto out;
        }
        pos += EVENT_HEAD + elen;
    }
    if (pos != len || count == 0 || j->ev[count - 1].kind != JOURNAL_END) {
        orr_fail(err, "%s: journal is truncated or has trailing data (no END event)", path);
        goto out;
    }
    rc = 0;
out:
    free(buf);
    if (rc)
        journal_free(j);
    return rc;
}
