/* Input routing and frames (machine/display.c), with stand-in devices. */
#include <stdio.h>
#include <string.h>

#include "machine/machine.h"
#include "tests/unit/unit.h"

struct fake_input {
    unsigned rank[INPUT_CLASSES];
    struct input_event got[16];
    unsigned count;
};

static unsigned fake_rank(void *dev, int cls)
{
    return ((struct fake_input *)dev)->rank[cls];
}

static void fake_event(void *dev, const struct input_event *ev)
{
    struct fake_input *f = dev;
    if (f->count < 16)
        f->got[f->count++] = *ev;
}

static int fake_render(void *dev, struct frame *f, uint64_t now_ns)
{
    (void)dev;
    if (frame_resize(f, 320, 200))
        return -1;
    for (size_t i = 0; i < 320u * 200u; i++)
        f->pixels[i] = (uint32_t)(now_ns & 0xffffff);
    return 1;
}

static const struct device_model input_model = {
    .name = "fake-input", .input_rank = fake_rank, .input_event = fake_event,
};
static const struct device_model display_model = {
    .name = "fake-display", .render = fake_render,
};

struct rig {
    struct machine m;
    struct machine_device devs[3];
    struct fake_input ps2, virtio;
};

static void rig_init(struct rig *r)
{
    memset(r, 0, sizeof *r);
    snprintf(r->m.board_name, sizeof r->m.board_name, "test");
    r->devs[0] = (struct machine_device){ .model = &display_model, .dev = NULL };
    r->devs[1] = (struct machine_device){ .model = &input_model, .dev = &r->ps2 };
    r->devs[2] = (struct machine_device){ .model = &input_model, .dev = &r->virtio };
    r->m.devices = r->devs;
    r->m.ndevices = 3;
    r->m.clock.mode = CLOCK_MODE_VIRTUAL;
    r->ps2.rank[INPUT_KEYBOARD] = 1;
    r->ps2.rank[INPUT_POINTER_REL] = 1;
}

START_TEST(keys_go_to_the_best_ranked_device)
{
    struct rig r;
    rig_init(&r);
    struct orr_error err = { { 0 } };
    struct input_event down = { .cls = INPUT_KEYBOARD, .key = 30, .down = true };
    ck_assert_int_eq(machine_input(&r.m, &down, &err), 0);
    ck_assert_uint_eq(r.ps2.count, 1);
    /* The virtio keyboard's driver starts while the key is held: the key
     * comes up where it went down; the next one goes to virtio. */
    r.virtio.rank[INPUT_KEYBOARD] = 2;
    struct input_event up = down;
    up.down = false;
    ck_assert_int_eq(machine_input(&r.m, &up, &err), 0);
    ck_assert_uint_eq(r.ps2.count, 2);
    ck_assert(!r.ps2.got[1].down);
    ck_assert_int_eq(machine_input(&r.m, &down, &err), 0);
    ck_assert_uint_eq(r.virtio.count, 1);
    ck_assert_uint_eq(r.ps2.count, 2);
}
END_TEST

START_TEST(no_device_is_an_error)
{
    struct rig r;
    rig_init(&r);
    struct orr_error err = { { 0 } };
    struct input_event t = { .cls = INPUT_TOUCH, .x = 5, .y = 5, .contact = true };
    ck_assert_int_eq(machine_input(&r.m, &t, &err), -1);
    ck_assert(strstr(err.msg, "touch screen") != NULL);
    ck_assert(!machine_input_available(&r.m, INPUT_TOUCH));
    struct input_event k = { .cls = INPUT_KEYBOARD, .key = 0x300, .down = true };
    ck_assert_int_eq(machine_input(&r.m, &k, &err), -1);
    struct input_event bad = { .cls = INPUT_CLASSES };
    ck_assert_int_eq(machine_input(&r.m, &bad, &err), -1);
}
END_TEST

START_TEST(absolute_positions_move_a_mouse_without_a_tablet)
{
    struct rig r;
    rig_init(&r);
    struct orr_error err = { { 0 } };
    ck_assert(machine_input_available(&r.m, INPUT_POINTER_ABS));
    /* From the top-left corner to the middle of the 320x200 display. */
    struct input_event a = { .cls = INPUT_POINTER_ABS, .x = INPUT_ABS_MAX / 2,
                             .y = INPUT_ABS_MAX / 2, .buttons = INPUT_BUTTON_LEFT };
    ck_assert_int_eq(machine_input(&r.m, &a, &err), 0);
    ck_assert_uint_eq(r.ps2.count, 1);
    ck_assert_int_eq(r.ps2.got[0].cls, INPUT_POINTER_REL);
    ck_assert_int_eq(r.ps2.got[0].dx, 160);
    ck_assert_int_eq(r.ps2.got[0].dy, 100);
    ck_assert_uint_eq(r.ps2.got[0].buttons, INPUT_BUTTON_LEFT);
    a.x = 0;
    ck_assert_int_eq(machine_input(&r.m, &a, &err), 0);
    ck_assert_int_eq(r.ps2.got[1].dx, -160);
    ck_assert_int_eq(r.ps2.got[1].dy, 0);
    /* A tablet takes positions as they are. */
    r.virtio.rank[INPUT_POINTER_ABS] = 2;
    a.x = 1234;
    ck_assert_int_eq(machine_input(&r.m, &a, &err), 0);
    ck_assert_uint_eq(r.virtio.count, 1);
    ck_assert_uint_eq(r.virtio.got[0].x, 1234);
}
END_TEST

START_TEST(render_and_frames)
{
    struct rig r;
    rig_init(&r);
    r.m.clock.now_ns = 0x123456;
    struct frame f = { 0 };
    struct orr_error err = { { 0 } };
    ck_assert_ptr_eq(machine_display(&r.m), &r.devs[0]);
    ck_assert_int_eq(machine_render(&r.m, &f, &err), 1);
    ck_assert_uint_eq(f.width, 320);
    ck_assert_uint_eq(f.pixels[0], 0x123456);
    ck_assert_int_eq(frame_resize(&f, 0, 10), -1);
    ck_assert_int_eq(frame_resize(&f, FRAME_MAX_DIM + 1, 10), -1);
    ck_assert_uint_eq(f.width, 320);       /* unchanged by the refusals */
    ck_assert_int_eq(frame_resize(&f, 10, 10), 0);
    ck_assert_uint_eq(f.capacity, 320u * 200u);
    frame_free(&f);
    ck_assert_ptr_null(f.pixels);
    r.m.ndevices = 0;
    ck_assert_int_eq(machine_render(&r.m, &f, &err), -1);
    ck_assert(strstr(err.msg, "no display") != NULL);
    ck_assert_uint_eq(frame_scale_channel(63, 6), 255);
    ck_assert_uint_eq(frame_scale_channel(0, 6), 0);
    ck_assert_uint_eq(frame_scale_channel(31, 5), 255);
    ck_assert_uint_eq(frame_scale_channel(16, 5), 132);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("display");
    TCase *tc = tcase_create("display");
    tcase_add_test(tc, keys_go_to_the_best_ranked_device);
    tcase_add_test(tc, no_device_is_an_error);
    tcase_add_test(tc, absolute_positions_move_a_mouse_without_a_tablet);
    tcase_add_test(tc, render_and_frames);
    suite_add_tcase(s, tc);
    return unit_run(s);
}
