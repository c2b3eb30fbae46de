/* The input queue, key names, the monitor's display commands and PNG
 * screenshots (frontends/ui.c, keymap.c, pngfile.c). */
#include <linux/input-event-codes.h>
#include <png.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "frontends/keymap.h"
#include "frontends/pngfile.h"
#include "frontends/ui.h"
#include "machine/machine.h"
#include "tests/unit/unit.h"

/* --- a machine of stand-ins: a 320x200 display and a keyboard/tablet/touch */

struct fake {
    unsigned rank[INPUT_CLASSES];
    struct input_event got[256];
    unsigned count;
};

static unsigned fake_rank(void *dev, int cls)
{
    return ((struct fake *)dev)->rank[cls];
}

static void fake_event(void *dev, const struct input_event *ev)
{
    struct fake *f = dev;
    if (f->count < 256)
        f->got[f->count++] = *ev;
}

static int fake_render(void *dev, struct frame *f, uint64_t now_ns)
{
    (void)dev;
    (void)now_ns;
    if (frame_resize(f, 320, 200))
        return -1;
    for (unsigned y = 0; y < 200; y++)
        for (unsigned x = 0; x < 320; x++)
            f->pixels[y * 320 + x] = (x << 16) | (y << 8) | 0x5a;
    return 1;
}

static const struct device_model fake_model = {
    .name = "fake", .render = fake_render, .input_rank = fake_rank, .input_event = fake_event,
};

struct rig {
    struct machine m;
    struct machine_device dev;
    struct fake f;
    struct ui_input q;
};

static void rig_init(struct rig *r)
{
    memset(r, 0, sizeof *r);
    snprintf(r->m.board_name, sizeof r->m.board_name, "test");
    r->dev = (struct machine_device){ .model = &fake_model, .dev = &r->f };
    r->m.devices = &r->dev;
    r->m.ndevices = 1;
    for (unsigned c = 0; c < INPUT_CLASSES; c++)
        r->f.rank[c] = 1;
}

static char out_buf[2048];
static size_t out_len;

static void out_write(void *opaque, const char *text, size_t len)
{
    (void)opaque;
    if (out_len + len < sizeof out_buf) {
        memcpy(out_buf + out_len, text, len);
        out_len += len;
        out_buf[out_len] = '\0';
    }
}

static const struct dbg_output out = { .write = out_write };

static int run(struct rig *r, int argc, const char *const *argv)
{
    out_len = 0;
    out_buf[0] = '\0';
    char *words[8];
    char copies[8][320];
    for (int i = 0; i < argc; i++) {
        snprintf(copies[i], sizeof copies[i], "%s", argv[i]);
        words[i] = copies[i];
    }
    return ui_command(&r->m, &r->q, argc, words, &out);
}

static int deliver(void *opaque, const struct input_event *ev, struct orr_error *err)
{
    return machine_input(opaque, ev, err);
}

/* Delivers everything queued, advancing guest time as the gaps ask. */
static void drain(struct rig *r)
{
    uint64_t now = 0;
    while (ui_input_pending(&r->q)) {
        ui_input_pump(&r->q, now, false, deliver, &r->m);
        now += 1000000;
    }
}

START_TEST(type_presses_and_releases_each_key_with_shift)
{
    struct rig r;
    rig_init(&r);
    const char *argv[] = { "type", "aB\n" };
    ck_assert_int_eq(run(&r, 2, argv), 0);
    drain(&r);
    /* a down, a up, shift down, b down, b up, shift up, enter down, up */
    static const struct { unsigned key; bool down; } want[] = {
        { KEY_A, true }, { KEY_A, false }, { KEY_LEFTSHIFT, true }, { KEY_B, true },
        { KEY_B, false }, { KEY_LEFTSHIFT, false }, { KEY_ENTER, true }, { KEY_ENTER, false },
    };
    ck_assert_uint_eq(r.f.count, 8);
    for (unsigned i = 0; i < 8; i++) {
        ck_assert_int_eq(r.f.got[i].cls, INPUT_KEYBOARD);
        ck_assert_uint_eq(r.f.got[i].key, want[i].key);
        ck_assert_int_eq(r.f.got[i].down, want[i].down);
    }
    ui_input_free(&r.q);
}
END_TEST

START_TEST(events_are_paced_in_guest_time)
{
    struct rig r;
    rig_init(&r);
    const char *argv[] = { "type", "ab" };
    ck_assert_int_eq(run(&r, 2, argv), 0);
    ck_assert_uint_eq(ui_input_pump(&r.q, 0, false, deliver, &r.m), 1);
    ck_assert_uint_eq(ui_input_pump(&r.q, UI_KEY_GAP_NS - 1, false, deliver, &r.m), 0);
    ck_assert_uint_eq(ui_input_pump(&r.q, UI_KEY_GAP_NS, false, deliver, &r.m), 1);
    /* An idle guest takes the next one at once. */
    ck_assert_uint_eq(ui_input_pump(&r.q, UI_KEY_GAP_NS + 1, true, deliver, &r.m), 1);
    ck_assert_uint_eq(r.f.count, 3);
    ui_input_free(&r.q);
}
END_TEST

START_TEST(sendkey_holds_a_chord_and_releases_in_reverse)
{
    struct rig r;
    rig_init(&r);
    const char *argv[] = { "sendkey", "ctrl-alt-delete", "200" };
    ck_assert_int_eq(run(&r, 3, argv), 0);
    drain(&r);
    ck_assert_uint_eq(r.f.count, 6);
    ck_assert_uint_eq(r.f.got[0].key, KEY_LEFTCTRL);
    ck_assert_uint_eq(r.f.got[2].key, KEY_DELETE);
    ck_assert(r.f.got[2].down);
    ck_assert_uint_eq(r.f.got[3].key, KEY_DELETE);
    ck_assert(!r.f.got[3].down);
    ck_assert_uint_eq(r.f.got[5].key, KEY_LEFTCTRL);
    const char *bad[] = { "sendkey", "ctrl-nosuchkey" };
    ck_assert_int_eq(run(&r, 2, bad), -1);
    ck_assert(strstr(out_buf, "nosuchkey") != NULL);
    ui_input_free(&r.q);
}
END_TEST

START_TEST(mouse_and_touch_positions_scale_to_the_display)
{
    struct rig r;
    rig_init(&r);
    const char *mouse[] = { "mouse", "319", "0", "1" };
    ck_assert_int_eq(run(&r, 4, mouse), 0);
    const char *tap[] = { "touch", "160", "100" };
    ck_assert_int_eq(run(&r, 3, tap), 0);
    drain(&r);
    ck_assert_uint_eq(r.f.count, 3);
    ck_assert_int_eq(r.f.got[0].cls, INPUT_POINTER_ABS);
    ck_assert_uint_eq(r.f.got[0].x, INPUT_ABS_MAX);
    ck_assert_uint_eq(r.f.got[0].y, 0);
    ck_assert_uint_eq(r.f.got[0].buttons, INPUT_BUTTON_LEFT);
    ck_assert_int_eq(r.f.got[1].cls, INPUT_TOUCH);
    ck_assert(r.f.got[1].contact);
    ck_assert_uint_eq(r.f.got[1].x, (160u * INPUT_ABS_MAX + 159) / 319);
    ck_assert_uint_eq(r.f.got[1].y, (100u * INPUT_ABS_MAX + 99) / 199);
    ck_assert(!r.f.got[2].contact);
    const char *off[] = { "mouse", "320", "0" };
    ck_assert_int_eq(run(&r, 3, off), -1);
    ck_assert(strstr(out_buf, "320x200") != NULL);
    /* No touch screen: refused at once, nothing queued. */
    r.f.rank[INPUT_TOUCH] = 0;
    ck_assert_int_eq(run(&r, 3, tap), -1);
    ck_assert(!ui_input_pending(&r.q));
    ui_input_free(&r.q);
}
END_TEST

START_TEST(key_names_and_characters)
{
    ck_assert_uint_eq(keymap_key_by_name("ret"), KEY_ENTER);
    ck_assert_uint_eq(keymap_key_by_name("CTRL"), KEY_LEFTCTRL);
    ck_assert_uint_eq(keymap_key_by_name("kp_add"), KEY_KPPLUS);
    ck_assert_uint_eq(keymap_key_by_name("nope"), 0);
    ck_assert_str_eq(keymap_key_name(KEY_ENTER), "ret");
    bool shift;
    ck_assert_uint_eq(keymap_key_for_char('$', &shift), KEY_4);
    ck_assert(shift);
    ck_assert_uint_eq(keymap_key_for_char('(', &shift), KEY_9);
    ck_assert_uint_eq(keymap_key_for_char('*', &shift), KEY_8);
    ck_assert_uint_eq(keymap_key_for_char('-', &shift), KEY_MINUS);
    ck_assert(!shift);
    ck_assert_uint_eq(keymap_key_for_char('\x01', &shift), 0);
}
END_TEST

START_TEST(screendump_writes_a_png_that_reads_back)
{
    struct rig r;
    rig_init(&r);
    char path[] = "/tmp/orrery-test-ui-XXXXXX";
    ck_assert_ptr_nonnull(mkdtemp(path));
    char file[300];
    snprintf(file, sizeof file, "%s/shot.png", path);
    const char *argv[] = { "screendump", file };
    ck_assert_int_eq(run(&r, 2, argv), 0);

    png_image img;
    memset(&img, 0, sizeof img);
    img.version = PNG_IMAGE_VERSION;
    ck_assert(png_image_begin_read_from_file(&img, file));
    ck_assert_uint_eq(img.width, 320);
    ck_assert_uint_eq(img.height, 200);
    img.format = PNG_FORMAT_RGB;
    uint8_t *px = malloc(PNG_IMAGE_SIZE(img));
    ck_assert(png_image_finish_read(&img, NULL, px, 0, NULL));
    const uint8_t *p = px + (57 * 320 + 300) * 3;
    ck_assert_uint_eq(p[0], 300 & 0xff);
    ck_assert_uint_eq(p[1], 57);
    ck_assert_uint_eq(p[2], 0x5a);
    free(px);
    unlink(file);

    /* A directory that is not there: an error and no file. */
    snprintf(file, sizeof file, "%s/missing/shot.png", path);
    const char *bad[] = { "screendump", file };
    ck_assert_int_eq(run(&r, 2, bad), -1);
    ck_assert(access(file, F_OK) != 0);
    rmdir(path);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("ui");
    TCase *tc = tcase_create("ui");
    tcase_add_test(tc, type_presses_and_releases_each_key_with_shift);
    tcase_add_test(tc, events_are_paced_in_guest_time);
    tcase_add_test(tc, sendkey_holds_a_chord_and_releases_in_reverse);
    tcase_add_test(tc, mouse_and_touch_positions_scale_to_the_display);
    tcase_add_test(tc, key_names_and_characters);
    tcase_add_test(tc, screendump_writes_a_png_that_reads_back);
    suite_add_tcase(s, tc);
    return unit_run(s);
}
