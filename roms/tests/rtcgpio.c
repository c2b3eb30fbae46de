/* The PL031 real-time clock (PL031 TRM, ARM DDI 0224) and the PL061 GPIO
 * controller (PL061 TRM, ARM DDI 0190) seen from the guest, limited to what
 * Orrery's and QEMU's models agree on, so the same program validates one
 * against the other. Interrupts are observed through the status registers
 * (RIS/MIS), not taken. The GPIO checks drive the pins as outputs and leave
 * pin 3 (the board's power button, released) an input. */
#include "rt.h"

struct test_group {
    const char *name;
    int (*run)(void);   /* 0, or the failed check number */
};

#define RTC 0x09010000u
#define GPIO 0x09030000u
#define RTC_REG(off) (*(volatile uint32_t *)(RTC + (off)))
#define GPIO_REG(off) (*(volatile uint32_t *)(GPIO + (off)))
#define GPIO_REG8(off) (*(volatile uint8_t *)(GPIO + (off)))
/* GPIODATA at the address that selects exactly these pins (bits 9:2). */
#define GPIO_DATA(pins) GPIO_REG((uint32_t)(pins) << 2)

enum { DR = 0x00, MR = 0x04, LR = 0x08, CR = 0x0C, IMSC = 0x10, RIS = 0x14, MIS = 0x18,
       ICR = 0x1C };
enum { DIR = 0x400, IS = 0x404, IBE = 0x408, IEV = 0x40C, IE = 0x410, GRIS = 0x414,
       GMIS = 0x418, IC = 0x41C, AFSEL = 0x420 };

#define OUTPUTS 0xF7u      /* every pin but 3 */
#define JAN_2000 946684800u
/* Spinning this many reads outlasts a second of guest time on either
 * emulator (Orrery's virtual clock: 10 ns an instruction). */
#define SPIN_LIMIT 100000000u

#define CHECK(cond, n) \
    do { \
        if (!(cond)) \
            return (n); \
    } while (0)

/* PrimeCell identification: part number, designer 0x41, 0xB105F00D. The
 * revision field (PeriphID2 bits 7:4) is not checked. */
static int check_ids(uint32_t base, uint32_t part, int n)
{
    volatile uint32_t *id = (volatile uint32_t *)(base + 0xFE0);
    CHECK(id[0] == (part & 0xFF), n);
    CHECK(id[1] == (0x10 | (part >> 8)), n + 1);
    CHECK((id[2] & 0x0F) == 0x04, n + 2);
    CHECK(id[3] == 0x00, n + 3);
    CHECK(id[4] == 0x0D, n + 4);
    CHECK(id[5] == 0xF0, n + 5);
    CHECK(id[6] == 0x05, n + 6);
    CHECK(id[7] == 0xB1, n + 7);
    return 0;
}

static int test_rtc_ids(void)
{
    return check_ids(RTC, 0x031, 1);
}

/* Started, counting, loaded with a date after 2000 (the host's time on
 * QEMU, 2000-01-01 plus the run time on Orrery's virtual clock). */
static int test_rtc_registers(void)
{
    CHECK(RTC_REG(CR) & 1, 10);
    CHECK(RTC_REG(DR) >= JAN_2000, 11);
    RTC_REG(MR) = 0x12345678;
    CHECK(RTC_REG(MR) == 0x12345678, 12);
    RTC_REG(IMSC) = 1;
    CHECK(RTC_REG(IMSC) == 1, 13);
    RTC_REG(IMSC) = 0;
    CHECK(RTC_REG(IMSC) == 0, 14);
    RTC_REG(LR) = 1000;
    uint32_t now = RTC_REG(DR);
    CHECK(now == 1000 || now == 1001, 15);
    return 0;
}

/* The match interrupt: raised once the counter has reached RTCMR, seen in
 * RTCRIS whatever the mask and in RTCMIS where RTCIMSC allows, cleared
 * through RTCICR. (QEMU raises it a whole number of seconds after RTCMR
 * is written, Orrery when the counter steps onto the value; both are
 * seen by spinning on RTCRIS.) */
static int test_rtc_match(void)
{
    RTC_REG(IMSC) = 0;
    RTC_REG(LR) = 5000;
    RTC_REG(MR) = 5001;
    uint32_t start = RTC_REG(DR);
    CHECK(start == 5000 || start == 5001, 20);
    if (start == 5000) {
        for (uint32_t i = 0; i < SPIN_LIMIT && !(RTC_REG(RIS) & 1); i++)
            ;
        CHECK(RTC_REG(RIS) & 1, 21);
        CHECK(RTC_REG(DR) >= 5001, 22);
        CHECK(RTC_REG(MIS) == 0, 23);
        RTC_REG(IMSC) = 1;
        CHECK(RTC_REG(MIS) == 1, 24);
    }
    RTC_REG(ICR) = 1;
    CHECK(RTC_REG(RIS) == 0, 25);
    CHECK(RTC_REG(MIS) == 0, 26);
    RTC_REG(IMSC) = 0;
    return 0;
}

static int test_gpio_ids(void)
{
    return check_ids(GPIO, 0x061, 30);
}

static int test_gpio_registers(void)
{
    CHECK(GPIO_REG(DIR) == 0, 40);          /* reset: all inputs */
    CHECK(GPIO_REG(IE) == 0, 41);
    CHECK(GPIO_DATA(0x08) == 0, 42);        /* the power button, released */
    GPIO_REG(DIR) = OUTPUTS;
    CHECK(GPIO_REG(DIR) == OUTPUTS, 43);
    GPIO_REG(IS) = 0x5A;
    CHECK(GPIO_REG(IS) == 0x5A, 44);
    GPIO_REG(IBE) = 0xA5;
    CHECK(GPIO_REG(IBE) == 0xA5, 45);
    GPIO_REG(IEV) = 0x3C;
    CHECK(GPIO_REG(IEV) == 0x3C, 46);
    GPIO_REG(IS) = 0;
    GPIO_REG(IBE) = 0;
    GPIO_REG(IEV) = 0;
    return 0;
}

/* GPIODATA: address bits 9:2 select the pins a read returns and a write
 * changes; only output pins take written values. */
static int test_gpio_data(void)
{
    GPIO_REG(IE) = 0;
    GPIO_REG(DIR) = OUTPUTS;
    GPIO_DATA(0xFF) = 0xFF;
    CHECK(GPIO_DATA(0xFF) == OUTPUTS, 50);  /* pin 3 is an input, low */
    GPIO_DATA(0x01) = 0x00;
    CHECK(GPIO_DATA(0xFF) == 0xF6, 51);
    GPIO_DATA(0x30) = 0x00;
    CHECK(GPIO_DATA(0xFF) == 0xC6, 52);
    GPIO_DATA(0x00) = 0x00;
    CHECK(GPIO_DATA(0xFF) == 0xC6, 53);
    GPIO_DATA(0x0F) = 0xF1;
    CHECK(GPIO_DATA(0xFF) == 0xC1, 54);
    CHECK(GPIO_DATA(0x0C) == 0x00, 55);
    CHECK(GPIO_DATA(0xC3) == 0xC1, 56);
    CHECK(GPIO_DATA(0x40) == 0x40, 57);
    /* byte accesses, as drivers make them */
    GPIO_REG8(0x80 << 2) = 0x00;
    CHECK(GPIO_REG8(0xFF << 2) == 0x41, 58);
    GPIO_DATA(0xFF) = 0;
    return 0;
}

/* Interrupts from what a program can drive itself: output pins make no
 * edges, but do make levels; pin 3 (the power button, released) is an
 * input held low. Only what QEMU's model agrees with is checked: it keeps
 * a level interrupt latched until GPIOIC where the TRM's goes away with
 * the level, so a vanished level is only looked at after a GPIOIC. */
static int test_gpio_interrupts(void)
{
    GPIO_REG(DIR) = OUTPUTS;
    GPIO_DATA(0xFF) = 0;
    GPIO_REG(IS) = 0;
    GPIO_REG(IBE) = 0;
    GPIO_REG(IEV) = 0;
    GPIO_REG(IE) = 0;
    GPIO_REG(IC) = 0xFF;
    CHECK(GPIO_REG(GRIS) == 0, 60);

    /* edge sensing on outputs: pin 0 rising, pin 1 falling, pin 2 both */
    GPIO_REG(IEV) = 0x01;
    GPIO_REG(IBE) = 0x04;
    GPIO_DATA(0x07) = 0x07;
    CHECK(GPIO_REG(GRIS) == 0, 61);
    GPIO_DATA(0x07) = 0x00;
    CHECK(GPIO_REG(GRIS) == 0, 62);

    /* level sensing on outputs: pin 4 high, pin 5 low */
    GPIO_REG(IBE) = 0;
    GPIO_REG(IEV) = 0x10;
    GPIO_REG(IS) = 0x30;
    CHECK((GPIO_REG(GRIS) & 0x30) == 0x20, 70);   /* both low now */
    GPIO_DATA(0x30) = 0x30;
    CHECK(GPIO_REG(GRIS) & 0x10, 71);
    GPIO_REG(IC) = 0x30;                    /* a present level stays */
    CHECK((GPIO_REG(GRIS) & 0x30) == 0x10, 72);
    GPIO_REG(IE) = 0x10;
    CHECK(GPIO_REG(GMIS) == 0x10, 73);
    GPIO_DATA(0x30) = 0x00;
    GPIO_REG(IC) = 0x30;
    CHECK((GPIO_REG(GRIS) & 0x30) == 0x20, 74);
    CHECK(GPIO_REG(GMIS) == 0, 75);

    /* the power button's input, low: a low-level interrupt, not a high one */
    GPIO_REG(IE) = 0;
    GPIO_REG(IS) = 0x08;
    GPIO_REG(IEV) = 0x00;
    GPIO_REG(IC) = 0xFF;                    /* (QEMU: pin 5's latched level) */
    CHECK(GPIO_REG(GRIS) == 0x08, 76);
    GPIO_REG(IEV) = 0x08;
    GPIO_REG(IC) = 0x08;
    CHECK(GPIO_REG(GRIS) == 0, 77);

    GPIO_REG(IS) = 0;
    GPIO_REG(IEV) = 0;
    GPIO_REG(IC) = 0xFF;
    GPIO_REG(DIR) = 0;
    return 0;
}

const char test_program_name[] = "rtcgpio";

const struct test_group test_groups[] = {
    { "rtc identification registers", test_rtc_ids },
    { "rtc registers", test_rtc_registers },
    { "rtc match interrupt", test_rtc_match },
    { "gpio identification registers", test_gpio_ids },
    { "gpio registers", test_gpio_registers },
    { "gpio data masking", test_gpio_data },
    { "gpio interrupts", test_gpio_interrupts },
    { 0, 0 },
};
