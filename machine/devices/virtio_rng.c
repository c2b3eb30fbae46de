/* virtio-rng backend (VIRTIO 1.1, 5.4): one request queue, every writable
 * byte filled with entropy.
 *
 * In realtime clock mode the bytes come from the host's getrandom(2). In
 * virtual clock mode runs must be reproducible, so they come from a
 * splitmix64 generator seeded with RNG_VIRTUAL_SEED at reset; its state is
 * saved with the machine. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "cpu/clock.h"
#include "cpu/log.h"
#include "machine/devices/virtio.h"
#include "machine/state.h"

#define RNG_VIRTUAL_SEED 0x4F72726572790001ull   /* "Orrery" 0001 */

struct rng {
    const struct logger *log;
    char path[128];
    bool realtime;
    uint64_t state;
    uint8_t buf[4096];
};

static uint64_t splitmix64(uint64_t *s)
{
    uint64_t z = (*s += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

static void fill(struct rng *r, size_t n)
{
    if (r->realtime) {
        size_t got = 0;
        while (got < n) {
            ssize_t k = getrandom(r->buf + got, n - got, 0);
            if (k <= 0)
                break;
            got += (size_t)k;
        }
        if (got == n)
            return;
        log_msg(r->log, LOG_DEV, "%s: getrandom failed; using the generator", r->path);
    }
    for (size_t i = 0; i < n; i += 8) {
        uint64_t v = splitmix64(&r->state);
        size_t k = n - i < 8 ? n - i : 8;
        memcpy(r->buf + i, &v, k);
    }
}

static void rng_notify(void *opaque, struct virtio_transport *t, unsigned q)
{
    struct rng *r = opaque;
    struct virtq_chain *c;
    if (q != 0)
        return;
    while (virtio_pop(t, 0, &c) == VQ_GOT) {
        uint64_t want = c->writable < sizeof r->buf ? c->writable : sizeof r->buf;
        fill(r, (size_t)want);
        int64_t w = virtq_chain_write(virtio_bus(t), c, 0, r->buf, want);
        virtio_push(t, 0, c->head, w < 0 ? 0 : (uint32_t)w);
    }
}

static void rng_reset(void *opaque)
{
    struct rng *r = opaque;
    r->state = RNG_VIRTUAL_SEED;
}

static void rng_save(void *opaque, struct state_writer *w)
{
    struct rng *r = opaque;
    state_put_u64(w, r->state);
}

static int rng_load(void *opaque, struct state_reader *rd)
{
    struct rng *r = opaque;
    uint64_t s = state_get_u64(rd);
    if (state_reader_check(rd) != 0)
        return -1;
    r->state = s;
    return 0;
}

static const struct virtio_backend_ops rng_ops = {
    .device_id = VIRTIO_ID_RNG,
    .nqueues = 1,
    .notify = rng_notify,
    .reset = rng_reset,
    .save = rng_save,
    .load = rng_load,
    .destroy = free,
};

int virtio_rng_create(const struct virtio_env *env, const char *arg, void **out,
                      const struct virtio_backend_ops **ops, struct orr_error *err)
{
    if (arg && *arg)
        return orr_fail(err, "%s: virtio rng takes no options ('%s')", env->path, arg);
    struct rng *r = calloc(1, sizeof *r);
    if (!r)
        return orr_fail(err, "%s: out of memory", env->path);
    r->log = env->log;
    snprintf(r->path, sizeof r->path, "%s", env->path);
    r->realtime = env->clock && env->clock->mode == CLOCK_MODE_REALTIME;
    rng_reset(r);
    *out = r;
    *ops = &rng_ops;
    return 0;
}
