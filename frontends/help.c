/* The usage text: the one place every command and option is described
 * (docs/cli.md says the same at more length). */
#include <stdio.h>

#include "frontends/cli.h"
#include "orrery_config.h"

void print_help(void)
{
    fputs(
"usage: orrery [RUN-OPTIONS]            run the embedded demo\n"
"       orrery run [RUN-OPTIONS]        run a guest (the demo without --kernel)\n"
"       orrery boot GUEST [RUN-OPTIONS] build a ready-made guest (first time: download)\n"
"                                       and boot it to a shell; GUEST: debian-arm\n"
"       orrery boards                   list the builtin boards\n"
"       orrery cpus                     list the CPU models\n"
"       orrery devices                  list the device models and their compatibles\n"
"       orrery conformance arm7tdmi DIR [--min-pass PERCENT] [-v]\n"
"                                       run single-step test vectors (*.json.bin under DIR)\n"
"       orrery --help | --version\n"
"\n"
"Run options (each also accepted as --option=value):\n"
"  --board NAME|FILE    builtin board name, or a .dts (compiled with dtc) or .dtb file\n"
"                       (default: arm-virt)\n"
"  --cpu MODEL          CPU model for every /cpus node (default: from the board)\n"
"  -m, --memory SIZE    RAM size of the first /memory bank: a number with K, M, G or T;\n"
"                       a bare number is MiB (default: from the board)\n"
"  --kernel FILE        guest image: a 32-bit ELF (loaded by its headers), or a Linux\n"
"                       kernel (zImage, uImage or raw Image) booted as Linux expects\n"
"                       (default: the embedded demo, with --semihosting)\n"
"  --initrd FILE        initial ramdisk for a Linux kernel\n"
"  --append ARGS        kernel command line (/chosen bootargs)\n"
"  --dtb FILE           device tree for a Linux kernel (default: the board's)\n"
"  --bios FILE          firmware: loaded into the flash bank at address 0, started\n"
"                       there, with the device tree at the start of RAM\n"
"  --semihosting        let the guest use ARM semihosting (console on stdin/stdout,\n"
"                       exit code)\n"
"  --clock MODE         virtual (default: reproducible, time follows executed\n"
"                       instructions) or realtime (time follows the host clock)\n"
"  --timeout SECONDS    stop after this much host (wall-clock) time; exit status 124\n"
"  --no-reboot          exit when the guest asks for a reset instead of rebooting\n"
"  --stats              at exit, print the instructions executed and the host time\n"
"\n"
"Debugging options (docs/debugging.md):\n"
"  --monitor            start stopped, in the monitor on this terminal (Ctrl-A c opens\n"
"                       it at any time; `help` lists its commands, `continue` resumes)\n"
"  --monitor-socket PATH|PORT  serve the monitor on a Unix socket or 127.0.0.1 port\n"
"  --gdb PORT           serve GDB's remote protocol on 127.0.0.1:PORT (gdb-multiarch:\n"
"                       target remote :PORT)\n"
"  --gdb-wait           with --gdb: start stopped, before the first instruction\n"
"  --explain-format text|json  how `step` (and --explain) show an instruction\n"
"  --symbols FILE       symbols (ELF or System.map) for the monitor and traces; an ELF\n"
"                       --kernel's own symbols are always loaded\n"
"  -v, --verbose        log board and cpu messages to stderr; -vv logs every category\n"
"  -h, --help           show this help\n"
"  --version            show the version\n"
"\n"
"Boot: 'orrery boot debian-arm' builds (first time: downloads, ~60 MB) a Debian kernel,\n"
"busybox initramfs and ext2 disk with scripts/debian-arm-guest, then runs them with\n"
"--kernel, --initrd, --drive (a writable copy kept in the builder's cache), -m 256M and\n"
"--append console=ttyAMA0; run options after the name follow and win. Type 'poweroff' in\n"
"the guest shell to end with status 0.\n"
"\n"
"Conformance options:\n"
"  --min-pass PERCENT   succeed when at least PERCENT of all tests pass\n"
"  -v, --verbose        also print each failing file's first failure\n"
"\n"
"Console: the guest's first UART is this terminal. Keys go to the guest; Ctrl-A is the\n"
"escape: Ctrl-A x quits, Ctrl-A c opens the monitor, Ctrl-A Ctrl-A sends Ctrl-A,\n"
"Ctrl-A h shows the keys.\n"
"\n"
"Exit status: the guest's semihosting exit code when it exits that way; 0 on power-off\n"
"or Ctrl-A x; 1 on an error (bad input file, board, CPU model, guest error); 2 on a\n"
"usage error; 124 when --timeout expires.\n",
        stdout);
}

void print_version(void)
{
    printf("orrery %s\n", ORRERY_VERSION);
}
