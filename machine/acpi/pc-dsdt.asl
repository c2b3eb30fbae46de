/*
 * The pc board's Differentiated System Description Table: only what an
 * operating system needs to power the machine off. The board's power
 * management device (machine/devices/acpi_pm.c) takes SLP_TYP 5 with
 * SLP_EN in PM1a_CNT as "soft off" (ACPI 6.4, 7.4.2 \_Sx; 16.1.4 S5).
 * Compiled with iasl at build time; the loader places the AML after the
 * other tables (machine/acpi.c).
 */
DefinitionBlock ("", "DSDT", 1, "ORRERY", "PC", 1)
{
    /* Package: PM1a_CNT.SLP_TYP, PM1b_CNT.SLP_TYP, reserved, reserved. */
    Name (\_S0, Package (4) { 0, 0, 0, 0 })
    Name (\_S5, Package (4) { 5, 5, 0, 0 })
}
