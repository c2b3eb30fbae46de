/* The x86 decoder: prefixes, the one- and two-byte opcode maps, ModRM and
 * SIB (SDM Vol. 2A chapter 2 and appendix A), into struct x86_rec.
 *
 * Each map is a flat table indexed by opcode, one commented line per
 * opcode: its executor and its operand format. Opcodes whose ModRM.reg
 * field selects the operation (the "groups" of SDM Vol. 2A table A-6) point
 * to a sub-table of eight entries, except where one executor handles the
 * whole group from the reg field (group 1 ALU, group 2 shifts). */
#include "isa-x86/x86_internal.h"

#include "cpu/le.h"

/* Operand formats. */
enum {
    D_MODRM   = 1u << 0,    /* a ModRM byte follows */
    D_IB      = 1u << 1,    /* imm8, zero-extended */
    D_IBS     = 1u << 2,    /* imm8, sign-extended to the operand size */
    D_IW      = 1u << 3,    /* imm16 */
    D_IZ      = 1u << 4,    /* imm16 or imm32 by operand size */
    D_MOFFS   = 1u << 5,    /* moffs: an offset of the address size (in disp) */
    D_PTR     = 1u << 6,    /* ptr16:16 / ptr16:32 (offset in imm, selector in disp) */
    D_ENTER   = 1u << 7,    /* imm16, imm8 (level in disp) */
    D_MEMONLY = 1u << 8,    /* ModRM must name memory, else #UD */
    D_LOCK    = 1u << 9,    /* LOCK allowed (with a memory destination) */
    D_CTRL    = 1u << 10,   /* MOV CRn/DRn: mod is ignored, r/m is a register */
    D_GROUP   = 1u << 11,   /* the entry's group selects by ModRM.reg */
};

struct x86_opdesc {
    x86_exec_fn fn;
    uint16_t fmt;
    uint8_t need;           /* X86_F_* the model must have, else #UD */
    uint8_t group;          /* D_GROUP: index into group_tables */
};

enum { G_80_GRP1, G_8F, G_C6, G_C7, G_F6, G_F7, G_FE, G_FF, G_0F00, G_0F01, G_0FBA, G_0FC7,
       G_COUNT };

#define ALU_RM_R  x86_exec_alu_rm_r
#define ALU_R_RM  x86_exec_alu_r_rm
#define ALU_ACC   x86_exec_alu_acc_imm

/* The one-byte map (SDM Vol. 2A table A-2). Prefixes (26 2E 36 3E 64 65
 * 66 67 F0 F2 F3) never reach it. */
static const struct x86_opdesc map1[256] = {
    [0x00] = { ALU_RM_R, D_MODRM | D_LOCK, 0, 0 },           /* ADD Eb,Gb */
    [0x01] = { ALU_RM_R, D_MODRM | D_LOCK, 0, 0 },           /* ADD Ev,Gv */
    [0x02] = { ALU_R_RM, D_MODRM, 0, 0 },                    /* ADD Gb,Eb */
    [0x03] = { ALU_R_RM, D_MODRM, 0, 0 },                    /* ADD Gv,Ev */
    [0x04] = { ALU_ACC, D_IB, 0, 0 },                        /* ADD AL,Ib */
    [0x05] = { ALU_ACC, D_IZ, 0, 0 },                        /* ADD eAX,Iz */
    [0x06] = { x86_exec_push_sreg, 0, 0, 0 },                /* PUSH ES */
    [0x07] = { x86_exec_pop_sreg, 0, 0, 0 },                 /* POP ES */
    [0x08] = { ALU_RM_R, D_MODRM | D_LOCK, 0, 0 },           /* OR Eb,Gb */
    [0x09] = { ALU_RM_R, D_MODRM | D_LOCK, 0, 0 },           /* OR Ev,Gv */
    [0x0a] = { ALU_R_RM, D_MODRM, 0, 0 },                    /* OR Gb,Eb */
    [0x0b] = { ALU_R_RM, D_MODRM, 0, 0 },                    /* OR Gv,Ev */
    [0x0c] = { ALU_ACC, D_IB, 0, 0 },                        /* OR AL,Ib */
    [0x0d] = { ALU_ACC, D_IZ, 0, 0 },                        /* OR eAX,Iz */
    [0x0e] = { x86_exec_push_sreg, 0, 0, 0 },                /* PUSH CS */
    /* 0x0f: the two-byte escape */
    [0x10] = { ALU_RM_R, D_MODRM | D_LOCK, 0, 0 },           /* ADC Eb,Gb */
    [0x11] = { ALU_RM_R, D_MODRM | D_LOCK, 0, 0 },           /* ADC Ev,Gv */
    [0x12] = { ALU_R_RM, D_MODRM, 0, 0 },                    /* ADC Gb,Eb */
    [0x13] = { ALU_R_RM, D_MODRM, 0, 0 },                    /* ADC Gv,Ev */
    [0x14] = { ALU_ACC, D_IB, 0, 0 },                        /* ADC AL,Ib */
    [0x15] = { ALU_ACC, D_IZ, 0, 0 },                        /* ADC eAX,Iz */
    [0x16] = { x86_exec_push_sreg, 0, 0, 0 },                /* PUSH SS */
    [0x17] = { x86_exec_pop_sreg, 0, 0, 0 },                 /* POP SS */
    [0x18] = { ALU_RM_R, D_MODRM | D_LOCK, 0, 0 },           /* SBB Eb,Gb */
    [0x19] = { ALU_RM_R, D_MODRM | D_LOCK, 0, 0 },           /* SBB Ev,Gv */
    [0x1a] = { ALU_R_RM, D_MODRM, 0, 0 },                    /* SBB Gb,Eb */
    [0x1b] = { ALU_R_RM, D_MODRM, 0, 0 },                    /* SBB Gv,Ev */
    [0x1c] = { ALU_ACC, D_IB, 0, 0 },                        /* SBB AL,Ib */
    [0x1d] = { ALU_ACC, D_IZ, 0, 0 },                        /* SBB eAX,Iz */
    [0x1e] = { x86_exec_push_sreg, 0, 0, 0 },                /* PUSH DS */
    [0x1f] = { x86_exec_pop_sreg, 0, 0, 0 },                 /* POP DS */
    [0x20] = { ALU_RM_R, D_MODRM | D_LOCK, 0, 0 },           /* AND Eb,Gb */
    [0x21] = { ALU_RM_R, D_MODRM | D_LOCK, 0, 0 },           /* AND Ev,Gv */
    [0x22] = { ALU_R_RM, D_MODRM, 0, 0 },                    /* AND Gb,Eb */
    [0x23] = { ALU_R_RM, D_MODRM, 0, 0 },                    /* AND Gv,Ev */
    [0x24] = { ALU_ACC, D_IB, 0, 0 },                        /* AND AL,Ib */
    [0x25] = { ALU_ACC, D_IZ, 0, 0 },                        /* AND eAX,Iz */
    [0x27] = { x86_exec_daa_das, 0, 0, 0 },                  /* DAA */
    [0x28] = { ALU_RM_R, D_MODRM | D_LOCK, 0, 0 },           /* SUB Eb,Gb */
    [0x29] = { ALU_RM_R, D_MODRM | D_LOCK, 0, 0 },           /* SUB Ev,Gv */
    [0x2a] = { ALU_R_RM, D_MODRM, 0, 0 },                    /* SUB Gb,Eb */
    [0x2b] = { ALU_R_RM, D_MODRM, 0, 0 },                    /* SUB Gv,Ev */
    [0x2c] = { ALU_ACC, D_IB, 0, 0 },                        /* SUB AL,Ib */
    [0x2d] = { ALU_ACC, D_IZ, 0, 0 },                        /* SUB eAX,Iz */
    [0x2f] = { x86_exec_daa_das, 0, 0, 0 },                  /* DAS */
    [0x30] = { ALU_RM_R, D_MODRM | D_LOCK, 0, 0 },           /* XOR Eb,Gb */
    [0x31] = { ALU_RM_R, D_MODRM | D_LOCK, 0, 0 },           /* XOR Ev,Gv */
    [0x32] = { ALU_R_RM, D_MODRM, 0, 0 },                    /* XOR Gb,Eb */
    [0x33] = { ALU_R_RM, D_MODRM, 0, 0 },                    /* XOR Gv,Ev */
    [0x34] = { ALU_ACC, D_IB, 0, 0 },                        /* XOR AL,Ib */
    [0x35] = { ALU_ACC, D_IZ, 0, 0 },                        /* XOR eAX,Iz */
    [0x37] = { x86_exec_aaa_aas, 0, 0, 0 },                  /* AAA */
    [0x38] = { ALU_RM_R, D_MODRM, 0, 0 },                    /* CMP Eb,Gb */
    [0x39] = { ALU_RM_R, D_MODRM, 0, 0 },                    /* CMP Ev,Gv */
    [0x3a] = { ALU_R_RM, D_MODRM, 0, 0 },                    /* CMP Gb,Eb */
    [0x3b] = { ALU_R_RM, D_MODRM, 0, 0 },                    /* CMP Gv,Ev */
    [0x3c] = { ALU_ACC, D_IB, 0, 0 },                        /* CMP AL,Ib */
    [0x3d] = { ALU_ACC, D_IZ, 0, 0 },                        /* CMP eAX,Iz */
    [0x3f] = { x86_exec_aaa_aas, 0, 0, 0 },                  /* AAS */
    [0x40] = { x86_exec_incdec_reg, 0, 0, 0 },               /* INC eAX */
    [0x41] = { x86_exec_incdec_reg, 0, 0, 0 },               /* INC eCX */
    [0x42] = { x86_exec_incdec_reg, 0, 0, 0 },               /* INC eDX */
    [0x43] = { x86_exec_incdec_reg, 0, 0, 0 },               /* INC eBX */
    [0x44] = { x86_exec_incdec_reg, 0, 0, 0 },               /* INC eSP */
    [0x45] = { x86_exec_incdec_reg, 0, 0, 0 },               /* INC eBP */
    [0x46] = { x86_exec_incdec_reg, 0, 0, 0 },               /* INC eSI */
    [0x47] = { x86_exec_incdec_reg, 0, 0, 0 },               /* INC eDI */
    [0x48] = { x86_exec_incdec_reg, 0, 0, 0 },               /* DEC eAX */
    [0x49] = { x86_exec_incdec_reg, 0, 0, 0 },               /* DEC eCX */
    [0x4a] = { x86_exec_incdec_reg, 0, 0, 0 },               /* DEC eDX */
    [0x4b] = { x86_exec_incdec_reg, 0, 0, 0 },               /* DEC eBX */
    [0x4c] = { x86_exec_incdec_reg, 0, 0, 0 },               /* DEC eSP */
    [0x4d] = { x86_exec_incdec_reg, 0, 0, 0 },               /* DEC eBP */
    [0x4e] = { x86_exec_incdec_reg, 0, 0, 0 },               /* DEC eSI */
    [0x4f] = { x86_exec_incdec_reg, 0, 0, 0 },               /* DEC eDI */
    [0x50] = { x86_exec_push_reg, 0, 0, 0 },                 /* PUSH eAX */
    [0x51] = { x86_exec_push_reg, 0, 0, 0 },                 /* PUSH eCX */
    [0x52] = { x86_exec_push_reg, 0, 0, 0 },                 /* PUSH eDX */
    [0x53] = { x86_exec_push_reg, 0, 0, 0 },                 /* PUSH eBX */
    [0x54] = { x86_exec_push_reg, 0, 0, 0 },                 /* PUSH eSP (the value before) */
    [0x55] = { x86_exec_push_reg, 0, 0, 0 },                 /* PUSH eBP */
    [0x56] = { x86_exec_push_reg, 0, 0, 0 },                 /* PUSH eSI */
    [0x57] = { x86_exec_push_reg, 0, 0, 0 },                 /* PUSH eDI */
    [0x58] = { x86_exec_pop_reg, 0, 0, 0 },                  /* POP eAX */
    [0x59] = { x86_exec_pop_reg, 0, 0, 0 },                  /* POP eCX */
    [0x5a] = { x86_exec_pop_reg, 0, 0, 0 },                  /* POP eDX */
    [0x5b] = { x86_exec_pop_reg, 0, 0, 0 },                  /* POP eBX */
    [0x5c] = { x86_exec_pop_reg, 0, 0, 0 },                  /* POP eSP */
    [0x5d] = { x86_exec_pop_reg, 0, 0, 0 },                  /* POP eBP */
    [0x5e] = { x86_exec_pop_reg, 0, 0, 0 },                  /* POP eSI */
    [0x5f] = { x86_exec_pop_reg, 0, 0, 0 },                  /* POP eDI */
    [0x60] = { x86_exec_pusha, 0, 0, 0 },                    /* PUSHA/PUSHAD */
    [0x61] = { x86_exec_popa, 0, 0, 0 },                     /* POPA/POPAD */
    [0x62] = { x86_exec_bound, D_MODRM | D_MEMONLY, 0, 0 },  /* BOUND Gv,Ma */
    [0x63] = { x86_exec_arpl, D_MODRM, 0, 0 },               /* ARPL Ew,Gw */
    [0x68] = { x86_exec_push_imm, D_IZ, 0, 0 },              /* PUSH Iz */
    [0x69] = { x86_exec_imul_imm, D_MODRM | D_IZ, 0, 0 },    /* IMUL Gv,Ev,Iz */
    [0x6a] = { x86_exec_push_imm, D_IBS, 0, 0 },             /* PUSH Ib */
    [0x6b] = { x86_exec_imul_imm, D_MODRM | D_IBS, 0, 0 },   /* IMUL Gv,Ev,Ib */
    [0x6c] = { x86_exec_string, 0, 0, 0 },                   /* INSB */
    [0x6d] = { x86_exec_string, 0, 0, 0 },                   /* INSW/INSD */
    [0x6e] = { x86_exec_string, 0, 0, 0 },                   /* OUTSB */
    [0x6f] = { x86_exec_string, 0, 0, 0 },                   /* OUTSW/OUTSD */
    [0x70] = { x86_exec_jcc, D_IBS, 0, 0 },                  /* JO Jb */
    [0x71] = { x86_exec_jcc, D_IBS, 0, 0 },                  /* JNO Jb */
    [0x72] = { x86_exec_jcc, D_IBS, 0, 0 },                  /* JB Jb */
    [0x73] = { x86_exec_jcc, D_IBS, 0, 0 },                  /* JNB Jb */
    [0x74] = { x86_exec_jcc, D_IBS, 0, 0 },                  /* JZ Jb */
    [0x75] = { x86_exec_jcc, D_IBS, 0, 0 },                  /* JNZ Jb */
    [0x76] = { x86_exec_jcc, D_IBS, 0, 0 },                  /* JBE Jb */
    [0x77] = { x86_exec_jcc, D_IBS, 0, 0 },                  /* JNBE Jb */
    [0x78] = { x86_exec_jcc, D_IBS, 0, 0 },                  /* JS Jb */
    [0x79] = { x86_exec_jcc, D_IBS, 0, 0 },                  /* JNS Jb */
    [0x7a] = { x86_exec_jcc, D_IBS, 0, 0 },                  /* JP Jb */
    [0x7b] = { x86_exec_jcc, D_IBS, 0, 0 },                  /* JNP Jb */
    [0x7c] = { x86_exec_jcc, D_IBS, 0, 0 },                  /* JL Jb */
    [0x7d] = { x86_exec_jcc, D_IBS, 0, 0 },                  /* JNL Jb */
    [0x7e] = { x86_exec_jcc, D_IBS, 0, 0 },                  /* JLE Jb */
    [0x7f] = { x86_exec_jcc, D_IBS, 0, 0 },                  /* JNLE Jb */
    [0x80] = { x86_exec_alu_grp1, D_MODRM | D_IB | D_LOCK, 0, 0 },   /* grp1 Eb,Ib */
    [0x81] = { x86_exec_alu_grp1, D_MODRM | D_IZ | D_LOCK, 0, 0 },   /* grp1 Ev,Iz */
    [0x82] = { x86_exec_alu_grp1, D_MODRM | D_IB | D_LOCK, 0, 0 },   /* grp1 Eb,Ib (alias of 80) */
    [0x83] = { x86_exec_alu_grp1, D_MODRM | D_IBS | D_LOCK, 0, 0 },  /* grp1 Ev,Ib */
    [0x84] = { x86_exec_test_rm_r, D_MODRM, 0, 0 },          /* TEST Eb,Gb */
    [0x85] = { x86_exec_test_rm_r, D_MODRM, 0, 0 },          /* TEST Ev,Gv */
    [0x86] = { x86_exec_xchg_rm_r, D_MODRM | D_LOCK, 0, 0 }, /* XCHG Eb,Gb */
    [0x87] = { x86_exec_xchg_rm_r, D_MODRM | D_LOCK, 0, 0 }, /* XCHG Ev,Gv */
    [0x88] = { x86_exec_mov_rm_r, D_MODRM, 0, 0 },           /* MOV Eb,Gb */
    [0x89] = { x86_exec_mov_rm_r, D_MODRM, 0, 0 },           /* MOV Ev,Gv */
    [0x8a] = { x86_exec_mov_r_rm, D_MODRM, 0, 0 },           /* MOV Gb,Eb */
    [0x8b] = { x86_exec_mov_r_rm, D_MODRM, 0, 0 },           /* MOV Gv,Ev */
    [0x8c] = { x86_exec_mov_rm_sreg, D_MODRM, 0, 0 },        /* MOV Ew,Sw */
    [0x8d] = { x86_exec_lea, D_MODRM | D_MEMONLY, 0, 0 },    /* LEA Gv,M */
    [0x8e] = { x86_exec_mov_sreg_rm, D_MODRM, 0, 0 },        /* MOV Sw,Ew */
    [0x8f] = { NULL, D_MODRM | D_GROUP, 0, G_8F },           /* grp1A: POP Ev */
    [0x90] = { x86_exec_nop, 0, 0, 0 },                      /* NOP (XCHG eAX,eAX) */
    [0x91] = { x86_exec_xchg_acc, 0, 0, 0 },                 /* XCHG eCX,eAX */
    [0x92] = { x86_exec_xchg_acc, 0, 0, 0 },                 /* XCHG eDX,eAX */
    [0x93] = { x86_exec_xchg_acc, 0, 0, 0 },                 /* XCHG eBX,eAX */
    [0x94] = { x86_exec_xchg_acc, 0, 0, 0 },                 /* XCHG eSP,eAX */
    [0x95] = { x86_exec_xchg_acc, 0, 0, 0 },                 /* XCHG eBP,eAX */
    [0x96] = { x86_exec_xchg_acc, 0, 0, 0 },                 /* XCHG eSI,eAX */
    [0x97] = { x86_exec_xchg_acc, 0, 0, 0 },                 /* XCHG eDI,eAX */
    [0x98] = { x86_exec_cbw, 0, 0, 0 },                      /* CBW/CWDE */
    [0x99] = { x86_exec_cwd, 0, 0, 0 },                      /* CWD/CDQ */
    [0x9a] = { x86_exec_call_far, D_PTR, 0, 0 },             /* CALL Ap */
    [0x9b] = { x86_exec_wait, 0, 0, 0 },                     /* WAIT/FWAIT */
    [0x9c] = { x86_exec_pushf, 0, 0, 0 },                    /* PUSHF/PUSHFD */
    [0x9d] = { x86_exec_popf, 0, 0, 0 },                     /* POPF/POPFD */
    [0x9e] = { x86_exec_sahf, 0, 0, 0 },                     /* SAHF */
    [0x9f] = { x86_exec_lahf, 0, 0, 0 },                     /* LAHF */
    [0xa0] = { x86_exec_mov_moffs, D_MOFFS, 0, 0 },          /* MOV AL,Ob */
    [0xa1] = { x86_exec_mov_moffs, D_MOFFS, 0, 0 },          /* MOV eAX,Ov */
    [0xa2] = { x86_exec_mov_moffs, D_MOFFS, 0, 0 },          /* MOV Ob,AL */
    [0xa3] = { x86_exec_mov_moffs, D_MOFFS, 0, 0 },          /* MOV Ov,eAX */
    [0xa4] = { x86_exec_string, 0, 0, 0 },                   /* MOVSB */
    [0xa5] = { x86_exec_string, 0, 0, 0 },                   /* MOVSW/MOVSD */
    [0xa6] = { x86_exec_string, 0, 0, 0 },                   /* CMPSB */
    [0xa7] = { x86_exec_string, 0, 0, 0 },                   /* CMPSW/CMPSD */
    [0xa8] = { x86_exec_test_acc_imm, D_IB, 0, 0 },          /* TEST AL,Ib */
    [0xa9] = { x86_exec_test_acc_imm, D_IZ, 0, 0 },          /* TEST eAX,Iz */
    [0xaa] = { x86_exec_string, 0, 0, 0 },                   /* STOSB */
    [0xab] = { x86_exec_string, 0, 0, 0 },                   /* STOSW/STOSD */
    [0xac] = { x86_exec_string, 0, 0, 0 },                   /* LODSB */
    [0xad] = { x86_exec_string, 0, 0, 0 },                   /* LODSW/LODSD */
    [0xae] = { x86_exec_string, 0, 0, 0 },                   /* SCASB */
    [0xaf] = { x86_exec_string, 0, 0, 0 },                   /* SCASW/SCASD */
    [0xb0] = { x86_exec_mov_r_imm, D_IB, 0, 0 },             /* MOV AL,Ib */
    [0xb1] = { x86_exec_mov_r_imm, D_IB, 0, 0 },             /* MOV CL,Ib */
    [0xb2] = { x86_exec_mov_r_imm, D_IB, 0, 0 },             /* MOV DL,Ib */
    [0xb3] = { x86_exec_mov_r_imm, D_IB, 0, 0 },             /* MOV BL,Ib */
    [0xb4] = { x86_exec_mov_r_imm, D_IB, 0, 0 },             /* MOV AH,Ib */
    [0xb5] = { x86_exec_mov_r_imm, D_IB, 0, 0 },             /* MOV CH,Ib */
    [0xb6] = { x86_exec_mov_r_imm, D_IB, 0, 0 },             /* MOV DH,Ib */
    [0xb7] = { x86_exec_mov_r_imm, D_IB, 0, 0 },             /* MOV BH,Ib */
    [0xb8] = { x86_exec_mov_r_imm, D_IZ, 0, 0 },             /* MOV eAX,Iv */
    [0xb9] = { x86_exec_mov_r_imm, D_IZ, 0, 0 },             /* MOV eCX,Iv */
    [0xba] = { x86_exec_mov_r_imm, D_IZ, 0, 0 },             /* MOV eDX,Iv */
    [0xbb] = { x86_exec_mov_r_imm, D_IZ, 0, 0 },             /* MOV eBX,Iv */
    [0xbc] = { x86_exec_mov_r_imm, D_IZ, 0, 0 },             /* MOV eSP,Iv */
    [0xbd] = { x86_exec_mov_r_imm, D_IZ, 0, 0 },             /* MOV eBP,Iv */
    [0xbe] = { x86_exec_mov_r_imm, D_IZ, 0, 0 },             /* MOV eSI,Iv */
    [0xbf] = { x86_exec_mov_r_imm, D_IZ, 0, 0 },             /* MOV eDI,Iv */
    [0xc0] = { x86_exec_shift, D_MODRM | D_IB, 0, 0 },       /* grp2 Eb,Ib */
    [0xc1] = { x86_exec_shift, D_MODRM | D_IB, 0, 0 },       /* grp2 Ev,Ib */
    [0xc2] = { x86_exec_ret, D_IW, 0, 0 },                   /* RET Iw */
    [0xc3] = { x86_exec_ret, 0, 0, 0 },                      /* RET */
    [0xc4] = { x86_exec_lfar, D_MODRM | D_MEMONLY, 0, 0 },   /* LES Gv,Mp */
    [0xc5] = { x86_exec_lfar, D_MODRM | D_MEMONLY, 0, 0 },   /* LDS Gv,Mp */
    [0xc6] = { NULL, D_MODRM | D_GROUP, 0, G_C6 },           /* grp11: MOV Eb,Ib */
    [0xc7] = { NULL, D_MODRM | D_GROUP, 0, G_C7 },           /* grp11: MOV Ev,Iz */
    [0xc8] = { x86_exec_enter, D_ENTER, 0, 0 },              /* ENTER Iw,Ib */
    [0xc9] = { x86_exec_leave, 0, 0, 0 },                    /* LEAVE */
    [0xca] = { x86_exec_retf, D_IW, 0, 0 },                  /* RETF Iw */
    [0xcb] = { x86_exec_retf, 0, 0, 0 },                     /* RETF */
    [0xcc] = { x86_exec_int3, 0, 0, 0 },                     /* INT3 */
    [0xcd] = { x86_exec_int, D_IB, 0, 0 },                   /* INT Ib */
    [0xce] = { x86_exec_into, 0, 0, 0 },                     /* INTO */
    [0xcf] = { x86_exec_iret, 0, 0, 0 },                     /* IRET/IRETD */
    [0xd0] = { x86_exec_shift, D_MODRM, 0, 0 },              /* grp2 Eb,1 */
    [0xd1] = { x86_exec_shift, D_MODRM, 0, 0 },              /* grp2 Ev,1 */
    [0xd2] = { x86_exec_shift, D_MODRM, 0, 0 },              /* grp2 Eb,CL */
    [0xd3] = { x86_exec_shift, D_MODRM, 0, 0 },              /* grp2 Ev,CL */
    [0xd4] = { x86_exec_aam, D_IB, 0, 0 },                   /* AAM Ib */
    [0xd5] = { x86_exec_aad, D_IB, 0, 0 },                   /* AAD Ib */
    [0xd6] = { x86_exec_salc, 0, 0, 0 },                     /* SALC (undocumented, every model) */
    [0xd7] = { x86_exec_xlat, 0, 0, 0 },                     /* XLAT */
    [0xd8] = { x86_exec_esc, D_MODRM, 0, 0 },                /* x87 escape 0 */
    [0xd9] = { x86_exec_esc, D_MODRM, 0, 0 },                /* x87 escape 1 */
    [0xda] = { x86_exec_esc, D_MODRM, 0, 0 },                /* x87 escape 2 */
    [0xdb] = { x86_exec_esc, D_MODRM, 0, 0 },                /* x87 escape 3 */
    [0xdc] = { x86_exec_esc, D_MODRM, 0, 0 },                /* x87 escape 4 */
    [0xdd] = { x86_exec_esc, D_MODRM, 0, 0 },                /* x87 escape 5 */
    [0xde] = { x86_exec_esc, D_MODRM, 0, 0 },                /* x87 escape 6 */
    [0xdf] = { x86_exec_esc, D_MODRM, 0, 0 },                /* x87 escape 7 */
    [0xe0] = { x86_exec_loop, D_IBS, 0, 0 },                 /* LOOPNE Jb */
    [0xe1] = { x86_exec_loop, D_IBS, 0, 0 },                 /* LOOPE Jb */
    [0xe2] = { x86_exec_loop, D_IBS, 0, 0 },                 /* LOOP Jb */
    [0xe3] = { x86_exec_jcxz, D_IBS, 0, 0 },                 /* JCXZ/JECXZ Jb */
    [0xe4] = { x86_exec_in_out, D_IB, 0, 0 },                /* IN AL,Ib */
    [0xe5] = { x86_exec_in_out, D_IB, 0, 0 },                /* IN eAX,Ib */
    [0xe6] = { x86_exec_in_out, D_IB, 0, 0 },                /* OUT Ib,AL */
    [0xe7] = { x86_exec_in_out, D_IB, 0, 0 },                /* OUT Ib,eAX */
    [0xe8] = { x86_exec_call_rel, D_IZ, 0, 0 },              /* CALL Jz */
    [0xe9] = { x86_exec_jmp_rel, D_IZ, 0, 0 },               /* JMP Jz */
    [0xea] = { x86_exec_jmp_far, D_PTR, 0, 0 },              /* JMP Ap */
    [0xeb] = { x86_exec_jmp_rel, D_IBS, 0, 0 },              /* JMP Jb */
    [0xec] = { x86_exec_in_out, 0, 0, 0 },                   /* IN AL,DX */
    [0xed] = { x86_exec_in_out, 0, 0, 0 },                   /* IN eAX,DX */
    [0xee] = { x86_exec_in_out, 0, 0, 0 },                   /* OUT DX,AL */
    [0xef] = { x86_exec_in_out, 0, 0, 0 },                   /* OUT DX,eAX */
    [0xf1] = { x86_exec_int, 0, 0, 0 },                      /* INT1 (ICEBP) */
    [0xf4] = { x86_exec_hlt, 0, 0, 0 },                      /* HLT */
    [0xf5] = { x86_exec_flagop, 0, 0, 0 },                   /* CMC */
    [0xf6] = { NULL, D_MODRM | D_GROUP, 0, G_F6 },  /* grp3 Eb */
    [0xf7] = { NULL, D_MODRM | D_GROUP, 0, G_F7 },  /* grp3 Ev */
    [0xf8] = { x86_exec_flagop, 0, 0, 0 },                   /* CLC */
    [0xf9] = { x86_exec_flagop, 0, 0, 0 },                   /* STC */
    [0xfa] = { x86_exec_flagop, 0, 0, 0 },                   /* CLI */
    [0xfb] = { x86_exec_flagop, 0, 0, 0 },                   /* STI */
    [0xfc] = { x86_exec_flagop, 0, 0, 0 },                   /* CLD */
    [0xfd] = { x86_exec_flagop, 0, 0, 0 },                   /* STD */
    [0xfe] = { NULL, D_MODRM | D_GROUP, 0, G_FE },           /* grp4 */
    [0xff] = { NULL, D_MODRM | D_GROUP, 0, G_FF },           /* grp5 */
};

#define I4 X86_F_I486
#define P5 X86_F_P5
#define P6 X86_F_P6

/* The two-byte map, 0F xx (SDM Vol. 2A table A-3). */
static const struct x86_opdesc map2[256] = {
    [0x00] = { NULL, D_MODRM | D_GROUP, 0, G_0F00 },         /* grp6 */
    [0x01] = { NULL, D_MODRM | D_GROUP, 0, G_0F01 },         /* grp7 */
    [0x02] = { x86_exec_lar_lsl, D_MODRM, 0, 0 },            /* LAR Gv,Ew */
    [0x03] = { x86_exec_lar_lsl, D_MODRM, 0, 0 },            /* LSL Gv,Ew */
    [0x06] = { x86_exec_clts, 0, 0, 0 },                     /* CLTS */
    [0x08] = { x86_exec_cache, 0, I4, 0 },                   /* INVD */
    [0x09] = { x86_exec_cache, 0, I4, 0 },                   /* WBINVD */
    [0x0b] = { x86_exec_ud, 0, 0, 0 },                       /* UD2 */
    [0x18] = { x86_exec_nop, D_MODRM, P6, 0 },               /* hint NOP */
    [0x19] = { x86_exec_nop, D_MODRM, P6, 0 },               /* hint NOP */
    [0x1a] = { x86_exec_nop, D_MODRM, P6, 0 },               /* hint NOP */
    [0x1b] = { x86_exec_nop, D_MODRM, P6, 0 },               /* hint NOP */
    [0x1c] = { x86_exec_nop, D_MODRM, P6, 0 },               /* hint NOP */
    [0x1d] = { x86_exec_nop, D_MODRM, P6, 0 },               /* hint NOP */
    [0x1e] = { x86_exec_nop, D_MODRM, P6, 0 },               /* hint NOP */
    [0x1f] = { x86_exec_nop, D_MODRM, P6, 0 },               /* NOP Ev */
    [0x20] = { x86_exec_mov_cr, D_MODRM | D_CTRL, 0, 0 },    /* MOV Rd,Cd */
    [0x21] = { x86_exec_mov_dr, D_MODRM | D_CTRL, 0, 0 },    /* MOV Rd,Dd */
    [0x22] = { x86_exec_mov_cr, D_MODRM | D_CTRL, 0, 0 },    /* MOV Cd,Rd */
    [0x23] = { x86_exec_mov_dr, D_MODRM | D_CTRL, 0, 0 },    /* MOV Dd,Rd */
    [0x30] = { x86_exec_wrmsr, 0, P5, 0 },                   /* WRMSR */
    [0x31] = { x86_exec_rdtsc, 0, P5, 0 },                   /* RDTSC */
    [0x32] = { x86_exec_rdmsr, 0, P5, 0 },                   /* RDMSR */
    [0x33] = { x86_exec_rdpmc, 0, P6, 0 },                   /* RDPMC */
    [0x40] = { x86_exec_cmovcc, D_MODRM, P6, 0 },            /* CMOVO Gv,Ev */
    [0x41] = { x86_exec_cmovcc, D_MODRM, P6, 0 },            /* CMOVNO */
    [0x42] = { x86_exec_cmovcc, D_MODRM, P6, 0 },            /* CMOVB */
    [0x43] = { x86_exec_cmovcc, D_MODRM, P6, 0 },            /* CMOVNB */
    [0x44] = { x86_exec_cmovcc, D_MODRM, P6, 0 },            /* CMOVZ */
    [0x45] = { x86_exec_cmovcc, D_MODRM, P6, 0 },            /* CMOVNZ */
    [0x46] = { x86_exec_cmovcc, D_MODRM, P6, 0 },            /* CMOVBE */
    [0x47] = { x86_exec_cmovcc, D_MODRM, P6, 0 },            /* CMOVNBE */
    [0x48] = { x86_exec_cmovcc, D_MODRM, P6, 0 },            /* CMOVS */
    [0x49] = { x86_exec_cmovcc, D_MODRM, P6, 0 },            /* CMOVNS */
    [0x4a] = { x86_exec_cmovcc, D_MODRM, P6, 0 },            /* CMOVP */
    [0x4b] = { x86_exec_cmovcc, D_MODRM, P6, 0 },            /* CMOVNP */
    [0x4c] = { x86_exec_cmovcc, D_MODRM, P6, 0 },            /* CMOVL */
    [0x4d] = { x86_exec_cmovcc, D_MODRM, P6, 0 },            /* CMOVNL */
    [0x4e] = { x86_exec_cmovcc, D_MODRM, P6, 0 },            /* CMOVLE */
    [0x4f] = { x86_exec_cmovcc, D_MODRM, P6, 0 },            /* CMOVNLE */
    [0x80] = { x86_exec_jcc, D_IZ, 0, 0 },                   /* JO Jz */
    [0x81] = { x86_exec_jcc, D_IZ, 0, 0 },                   /* JNO Jz */
    [0x82] = { x86_exec_jcc, D_IZ, 0, 0 },                   /* JB Jz */
    [0x83] = { x86_exec_jcc, D_IZ, 0, 0 },                   /* JNB Jz */
    [0x84] = { x86_exec_jcc, D_IZ, 0, 0 },                   /* JZ Jz */
    [0x85] = { x86_exec_jcc, D_IZ, 0, 0 },                   /* JNZ Jz */
    [0x86] = { x86_exec_jcc, D_IZ, 0, 0 },                   /* JBE Jz */
    [0x87] = { x86_exec_jcc, D_IZ, 0, 0 },                   /* JNBE Jz */
    [0x88] = { x86_exec_jcc, D_IZ, 0, 0 },                   /* JS Jz */
    [0x89] = { x86_exec_jcc, D_IZ, 0, 0 },                   /* JNS Jz */
    [0x8a] = { x86_exec_jcc, D_IZ, 0, 0 },                   /* JP Jz */
    [0x8b] = { x86_exec_jcc, D_IZ, 0, 0 },                   /* JNP Jz */
    [0x8c] = { x86_exec_jcc, D_IZ, 0, 0 },                   /* JL Jz */
    [0x8d] = { x86_exec_jcc, D_IZ, 0, 0 },                   /* JNL Jz */
    [0x8e] = { x86_exec_jcc, D_IZ, 0, 0 },                   /* JLE Jz */
    [0x8f] = { x86_exec_jcc, D_IZ, 0, 0 },                   /* JNLE Jz */
    [0x90] = { x86_exec_setcc, D_MODRM, 0, 0 },              /* SETO Eb */
    [0x91] = { x86_exec_setcc, D_MODRM, 0, 0 },              /* SETNO */
    [0x92] = { x86_exec_setcc, D_MODRM, 0, 0 },              /* SETB */
    [0x93] = { x86_exec_setcc, D_MODRM, 0, 0 },              /* SETNB */
    [0x94] = { x86_exec_setcc, D_MODRM, 0, 0 },              /* SETZ */
    [0x95] = { x86_exec_setcc, D_MODRM, 0, 0 },              /* SETNZ */
    [0x96] = { x86_exec_setcc, D_MODRM, 0, 0 },              /* SETBE */
    [0x97] = { x86_exec_setcc, D_MODRM, 0, 0 },              /* SETNBE */
    [0x98] = { x86_exec_setcc, D_MODRM, 0, 0 },              /* SETS */
    [0x99] = { x86_exec_setcc, D_MODRM, 0, 0 },              /* SETNS */
    [0x9a] = { x86_exec_setcc, D_MODRM, 0, 0 },              /* SETP */
    [0x9b] = { x86_exec_setcc, D_MODRM, 0, 0 },              /* SETNP */
    [0x9c] = { x86_exec_setcc, D_MODRM, 0, 0 },              /* SETL */
    [0x9d] = { x86_exec_setcc, D_MODRM, 0, 0 },              /* SETNL */
    [0x9e] = { x86_exec_setcc, D_MODRM, 0, 0 },              /* SETLE */
    [0x9f] = { x86_exec_setcc, D_MODRM, 0, 0 },              /* SETNLE */
    [0xa0] = { x86_exec_push_sreg, 0, 0, 0 },                /* PUSH FS */
    [0xa1] = { x86_exec_pop_sreg, 0, 0, 0 },                 /* POP FS */
    [0xa2] = { x86_exec_cpuid, 0, I4, 0 },                   /* CPUID */
    [0xa3] = { x86_exec_bt, D_MODRM, 0, 0 },                 /* BT Ev,Gv */
    [0xa4] = { x86_exec_shld_shrd, D_MODRM | D_IB, 0, 0 },   /* SHLD Ev,Gv,Ib */
    [0xa5] = { x86_exec_shld_shrd, D_MODRM, 0, 0 },          /* SHLD Ev,Gv,CL */
    [0xa8] = { x86_exec_push_sreg, 0, 0, 0 },                /* PUSH GS */
    [0xa9] = { x86_exec_pop_sreg, 0, 0, 0 },                 /* POP GS */
    [0xab] = { x86_exec_bt, D_MODRM | D_LOCK, 0, 0 },        /* BTS Ev,Gv */
    [0xac] = { x86_exec_shld_shrd, D_MODRM | D_IB, 0, 0 },   /* SHRD Ev,Gv,Ib */
    [0xad] = { x86_exec_shld_shrd, D_MODRM, 0, 0 },          /* SHRD Ev,Gv,CL */
    [0xaf] = { x86_exec_imul_r_rm, D_MODRM, 0, 0 },          /* IMUL Gv,Ev */
    [0xb0] = { x86_exec_cmpxchg, D_MODRM | D_LOCK, I4, 0 },  /* CMPXCHG Eb,Gb */
    [0xb1] = { x86_exec_cmpxchg, D_MODRM | D_LOCK, I4, 0 },  /* CMPXCHG Ev,Gv */
    [0xb2] = { x86_exec_lfar, D_MODRM | D_MEMONLY, 0, 0 },   /* LSS Gv,Mp */
    [0xb3] = { x86_exec_bt, D_MODRM | D_LOCK, 0, 0 },        /* BTR Ev,Gv */
    [0xb4] = { x86_exec_lfar, D_MODRM | D_MEMONLY, 0, 0 },   /* LFS Gv,Mp */
    [0xb5] = { x86_exec_lfar, D_MODRM | D_MEMONLY, 0, 0 },   /* LGS Gv,Mp */
    [0xb6] = { x86_exec_movx, D_MODRM, 0, 0 },               /* MOVZX Gv,Eb */
    [0xb7] = { x86_exec_movx, D_MODRM, 0, 0 },               /* MOVZX Gv,Ew */
    [0xba] = { NULL, D_MODRM | D_GROUP | D_IB, 0, G_0FBA },  /* grp8 Ev,Ib */
    [0xbb] = { x86_exec_bt, D_MODRM | D_LOCK, 0, 0 },        /* BTC Ev,Gv */
    [0xbc] = { x86_exec_bsf_bsr, D_MODRM, 0, 0 },            /* BSF Gv,Ev */
    [0xbd] = { x86_exec_bsf_bsr, D_MODRM, 0, 0 },            /* BSR Gv,Ev */
    [0xbe] = { x86_exec_movx, D_MODRM, 0, 0 },               /* MOVSX Gv,Eb */
    [0xbf] = { x86_exec_movx, D_MODRM, 0, 0 },               /* MOVSX Gv,Ew */
    [0xc0] = { x86_exec_xadd, D_MODRM | D_LOCK, I4, 0 },     /* XADD Eb,Gb */
    [0xc1] = { x86_exec_xadd, D_MODRM | D_LOCK, I4, 0 },     /* XADD Ev,Gv */
    [0xc7] = { NULL, D_MODRM | D_GROUP, 0, G_0FC7 },         /* grp9 */
    [0xc8] = { x86_exec_bswap, 0, I4, 0 },                   /* BSWAP eAX */
    [0xc9] = { x86_exec_bswap, 0, I4, 0 },                   /* BSWAP eCX */
    [0xca] = { x86_exec_bswap, 0, I4, 0 },                   /* BSWAP eDX */
    [0xcb] = { x86_exec_bswap, 0, I4, 0 },                   /* BSWAP eBX */
    [0xcc] = { x86_exec_bswap, 0, I4, 0 },                   /* BSWAP eSP */
    [0xcd] = { x86_exec_bswap, 0, I4, 0 },                   /* BSWAP eBP */
    [0xce] = { x86_exec_bswap, 0, I4, 0 },                   /* BSWAP eSI */
    [0xcf] = { x86_exec_bswap, 0, I4, 0 },                   /* BSWAP eDI */
};

/* The ModRM.reg sub-tables of the groups (SDM Vol. 2A table A-6). */
static const struct x86_opdesc group_tables[G_COUNT][8] = {
    [G_8F] = {
        { x86_exec_pop_rm, 0, 0, 0 },                        /* /0 POP Ev */
    },
    [G_C6] = {
        { x86_exec_mov_rm_imm, D_IB, 0, 0 },                 /* /0 MOV Eb,Ib */
    },
    [G_C7] = {
        { x86_exec_mov_rm_imm, D_IZ, 0, 0 },                 /* /0 MOV Ev,Iz */
    },
    [G_F6] = {
        { x86_exec_grp3_test, D_IB, 0, 0 },                  /* /0 TEST Eb,Ib */
        { x86_exec_grp3_test, D_IB, 0, 0 },                  /* /1 TEST Eb,Ib (alias) */
        { x86_exec_not, D_LOCK, 0, 0 },                      /* /2 NOT Eb */
        { x86_exec_neg, D_LOCK, 0, 0 },                      /* /3 NEG Eb */
        { x86_exec_mul, 0, 0, 0 },                           /* /4 MUL AL,Eb */
        { x86_exec_imul1, 0, 0, 0 },                         /* /5 IMUL AL,Eb */
        { x86_exec_div, 0, 0, 0 },                           /* /6 DIV AL,Eb */
        { x86_exec_idiv, 0, 0, 0 },                          /* /7 IDIV AL,Eb */
    },
    [G_F7] = {
        { x86_exec_grp3_test, D_IZ, 0, 0 },                  /* /0 TEST Ev,Iz */
        { x86_exec_grp3_test, D_IZ, 0, 0 },                  /* /1 TEST Ev,Iz (alias) */
        { x86_exec_not, D_LOCK, 0, 0 },                      /* /2 NOT Ev */
        { x86_exec_neg, D_LOCK, 0, 0 },                      /* /3 NEG Ev */
        { x86_exec_mul, 0, 0, 0 },                           /* /4 MUL eAX,Ev */
        { x86_exec_imul1, 0, 0, 0 },                         /* /5 IMUL eAX,Ev */
        { x86_exec_div, 0, 0, 0 },                           /* /6 DIV eAX,Ev */
        { x86_exec_idiv, 0, 0, 0 },                          /* /7 IDIV eAX,Ev */
    },
    [G_FE] = {
        { x86_exec_incdec_rm, D_LOCK, 0, 0 },                /* /0 INC Eb */
        { x86_exec_incdec_rm, D_LOCK, 0, 0 },                /* /1 DEC Eb */
    },
    [G_FF] = {
        { x86_exec_incdec_rm, D_LOCK, 0, 0 },                /* /0 INC Ev */
        { x86_exec_incdec_rm, D_LOCK, 0, 0 },                /* /1 DEC Ev */
        { x86_exec_call_rm, 0, 0, 0 },                       /* /2 CALL Ev */
        { x86_exec_call_far_rm, D_MEMONLY, 0, 0 },           /* /3 CALL Mp */
        { x86_exec_jmp_rm, 0, 0, 0 },                        /* /4 JMP Ev */
        { x86_exec_jmp_far_rm, D_MEMONLY, 0, 0 },            /* /5 JMP Mp */
        { x86_exec_push_rm, 0, 0, 0 },                       /* /6 PUSH Ev */
    },
    [G_0F00] = {
        { x86_exec_grp6, 0, 0, 0 },                          /* /0 SLDT Ew */
        { x86_exec_grp6, 0, 0, 0 },                          /* /1 STR Ew */
        { x86_exec_grp6, 0, 0, 0 },                          /* /2 LLDT Ew */
        { x86_exec_grp6, 0, 0, 0 },                          /* /3 LTR Ew */
        { x86_exec_grp6, 0, 0, 0 },                          /* /4 VERR Ew */
        { x86_exec_grp6, 0, 0, 0 },                          /* /5 VERW Ew */
    },
    [G_0F01] = {
        { x86_exec_grp7, D_MEMONLY, 0, 0 },                  /* /0 SGDT Ms */
        { x86_exec_grp7, D_MEMONLY, 0, 0 },                  /* /1 SIDT Ms */
        { x86_exec_grp7, D_MEMONLY, 0, 0 },                  /* /2 LGDT Ms */
        { x86_exec_grp7, D_MEMONLY, 0, 0 },                  /* /3 LIDT Ms */
        { x86_exec_grp7, 0, 0, 0 },                          /* /4 SMSW Ew */
        { NULL, 0, 0, 0 },                                   /* /5 */
        { x86_exec_grp7, 0, 0, 0 },                          /* /6 LMSW Ew */
        { x86_exec_grp7, D_MEMONLY, I4, 0 },                 /* /7 INVLPG M */
    },
    [G_0FBA] = {
        [4] = { x86_exec_bt, 0, 0, 0 },                      /* /4 BT Ev,Ib */
        [5] = { x86_exec_bt, D_LOCK, 0, 0 },                 /* /5 BTS Ev,Ib */
        [6] = { x86_exec_bt, D_LOCK, 0, 0 },                 /* /6 BTR Ev,Ib */
        [7] = { x86_exec_bt, D_LOCK, 0, 0 },                 /* /7 BTC Ev,Ib */
    },
    [G_0FC7] = {
        [1] = { x86_exec_cmpxchg8b, D_MEMONLY | D_LOCK, P5, 0 },  /* /1 CMPXCHG8B Mq */
    },
};

#define MAX_INSN_LEN 15

/* 16-bit addressing (SDM Vol. 2A table 2-1): base and index of r/m 0-7. */
static const uint8_t rm16_base[8] = { EBX, EBX, EBP, EBP, X86_NOREG, X86_NOREG, EBP, EBX };
static const uint8_t rm16_index[8] = { ESI, EDI, ESI, EDI, ESI, EDI, X86_NOREG, X86_NOREG };

static uint32_t sext(uint32_t v, unsigned n)
{
    return n == 1 ? (uint32_t)(int32_t)(int8_t)v : n == 2 ? (uint32_t)(int32_t)(int16_t)v : v;
}

struct cursor {
    const uint8_t *bytes;
    unsigned avail, pos;
    bool too_long, short_input;
};

/* Takes n bytes; false when they are not all there (or go past 15). */
static bool take(struct cursor *k, unsigned n, uint32_t *v)
{
    if (k->pos + n > MAX_INSN_LEN) {
        k->too_long = true;
        return false;
    }
    if (k->pos + n > k->avail) {
        k->short_input = true;
        return false;
    }
    if (v)
        *v = le_load(k->bytes + k->pos, n);
    k->pos += n;
    return true;
}

/* ModRM and SIB (SDM Vol. 2A 2.1.5): fills base, index, scale, disp and the
 * default segment (SS when the base is BP/EBP/ESP). */
static bool decode_modrm(struct cursor *k, struct x86_rec *r, unsigned *def_seg)
{
    uint32_t m;
    if (!take(k, 1, &m))
        return false;
    r->modrm = (uint8_t)m;
    unsigned mod = m >> 6, rm = m & 7;
    r->base = r->index = X86_NOREG;
    r->scale = 0;
    r->disp = 0;
    *def_seg = SEG_DS;
    if (mod == 3)
        return true;
    r->attr |= X86_A_MEM;
    uint32_t d = 0;
    if (!(r->attr & X86_A_A32)) {
        if (mod == 0 && rm == 6) {
            if (!take(k, 2, &d))
                return false;
            r->disp = d;
            return true;
        }
        r->base = rm16_base[rm];
        r->index = rm16_index[rm];
        if (r->base == EBP)
            *def_seg = SEG_SS;
        if (mod == 1 && take(k, 1, &d))
            r->disp = sext(d, 1);
        else if (mod == 2 && take(k, 2, &d))
            r->disp = d;
        return !(k->too_long || k->short_input);
    }
    if (rm == 4) {
        uint32_t sib;
        if (!take(k, 1, &sib))
            return false;
        unsigned base = sib & 7, index = (sib >> 3) & 7;
        r->scale = (uint8_t)(sib >> 6);
        r->index = index == 4 ? X86_NOREG : (uint8_t)index;
        if (base == 5 && mod == 0) {
            if (!take(k, 4, &d))
                return false;
            r->disp = d;
            return true;
        }
        r->base = (uint8_t)base;
    } else if (rm == 5 && mod == 0) {
        if (!take(k, 4, &d))
            return false;
        r->disp = d;
        return true;
    } else {
        r->base = (uint8_t)rm;
    }
    if (r->base == ESP || r->base == EBP)
        *def_seg = SEG_SS;
    if (mod == 1 && take(k, 1, &d))
        r->disp = sext(d, 1);
    else if (mod == 2 && take(k, 4, &d))
        r->disp = d;
    return !(k->too_long || k->short_input);
}

int x86_exec_too_long(struct x86_cpu *c, const struct x86_rec *r)
{
    /* SDM Vol. 2A 2.3.11: more than 15 bytes raises #GP(0). */
    return x86_gp0(c);
}

int x86_exec_ud(struct x86_cpu *c, const struct x86_rec *r)
{
    return x86_ud(c);
}

unsigned x86_decode(const uint8_t *bytes, unsigned avail, bool code32, unsigned features,
                    struct x86_rec *r)
{
    struct cursor k = { bytes, avail, 0, false, false };
    memset(r, 0, sizeof *r);
    unsigned seg_override = SEG_COUNT;
    bool osize = code32, asize = code32;
    uint32_t b = 0;
    /* Prefixes, any number and order (SDM Vol. 2A 2.1.1); the last segment
     * override counts. */
    for (;;) {
        if (!take(&k, 1, &b))
            goto incomplete;
        switch (b) {
        case 0x26: seg_override = SEG_ES; continue;
        case 0x2e: seg_override = SEG_CS; continue;
        case 0x36: seg_override = SEG_SS; continue;
        case 0x3e: seg_override = SEG_DS; continue;
        case 0x64: seg_override = SEG_FS; continue;
        case 0x65: seg_override = SEG_GS; continue;
        case 0x66: osize = !code32; continue;
        case 0x67: asize = !code32; continue;
        case 0xf0: r->attr |= X86_A_LOCK; continue;
        case 0xf2: r->attr = (uint8_t)((r->attr & ~X86_A_REP) | X86_A_REPNE); continue;
        case 0xf3: r->attr = (uint8_t)((r->attr & ~X86_A_REPNE) | X86_A_REP); continue;
        default: break;
        }
        break;
    }
    if (osize)
        r->attr |= X86_A_O32;
    if (asize)
        r->attr |= X86_A_A32;
    const struct x86_opdesc *d;
    if (b == 0x0f) {
        if (!take(&k, 1, &b))
            goto incomplete;
        r->attr |= X86_A_0F;
        d = &map2[b];
    } else {
        d = &map1[b];
    }
    r->opc = (uint8_t)b;
    unsigned fmt = d->fmt;
    unsigned def_seg = SEG_DS;
    bool undefined = (d->fn == NULL && !(fmt & D_GROUP)) || (d->need & ~features);
    if (fmt & D_CTRL) {
        /* MOV CRn/DRn: the r/m field is always a register and the mod bits
         * are ignored (SDM Vol. 2B, MOV Control Registers). */
        uint32_t m;
        if (!take(&k, 1, &m))
            goto incomplete;
        r->modrm = (uint8_t)m;
        r->base = r->index = X86_NOREG;
    } else if (fmt & D_MODRM) {
        if (!decode_modrm(&k, r, &def_seg))
            goto incomplete;
    }
    if (fmt & D_GROUP) {
        const struct x86_opdesc *g = &group_tables[d->group][rec_reg(r)];
        undefined = g->fn == NULL || (g->need & ~features);
        fmt = (fmt & (D_MODRM | D_IB)) | g->fmt;
        d = g;
    }
    if ((fmt & D_MEMONLY) && !(r->attr & X86_A_MEM))
        undefined = true;
    unsigned osz = osize ? 4 : 2;
    uint32_t v = 0;
    if (fmt & D_IB) {
        if (!take(&k, 1, &v))
            goto incomplete;
        r->imm = v;
    } else if (fmt & D_IBS) {
        if (!take(&k, 1, &v))
            goto incomplete;
        r->imm = sext(v, 1);
    } else if (fmt & D_IZ) {
        if (!take(&k, osz, &v))
            goto incomplete;
        r->imm = v;
    } else if (fmt & D_IW) {
        if (!take(&k, 2, &v))
            goto incomplete;
        r->imm = v;
    } else if (fmt & D_MOFFS) {
        if (!take(&k, asize ? 4 : 2, &v))
            goto incomplete;
        r->disp = v;
        r->base = r->index = X86_NOREG;
        r->attr |= X86_A_MEM;
    } else if (fmt & D_PTR) {
        if (!take(&k, osz, &v))
            goto incomplete;
        r->imm = v;
        if (!take(&k, 2, &v))
            goto incomplete;
        r->disp = v;
    } else if (fmt & D_ENTER) {
        if (!take(&k, 2, &v))
            goto incomplete;
        r->imm = v;
        if (!take(&k, 1, &v))
            goto incomplete;
        r->disp = v;
    }
    /* Relative branches with a 16-bit operand size take a sign-extended
     * rel16; everything else with D_IZ is used at its own width. */
    if ((fmt & D_IZ) && osz == 2 &&
        (d->fn == x86_exec_jcc || d->fn == x86_exec_jmp_rel || d->fn == x86_exec_call_rel))
        r->imm = sext(r->imm, 2);
    /* String instructions take their source segment from the override;
     * every other memory operand too (SDM Vol. 1 3.7.4). */
    r->seg = (uint8_t)(seg_override != SEG_COUNT ? seg_override : def_seg);
    if (seg_override != SEG_COUNT)
        r->attr |= X86_A_SEGOV;
    /* LOCK is #UD unless the instruction is one of the lockable forms with
     * a memory destination (SDM Vol. 2A LOCK). */
    if ((r->attr & X86_A_LOCK) && (!(fmt & D_LOCK) || !(r->attr & X86_A_MEM)))
        undefined = true;
    r->len = (uint8_t)k.pos;
    r->fn = undefined ? x86_exec_ud : d->fn;
    return k.pos;

incomplete:
    if (k.too_long) {
        memset(r, 0, sizeof *r);
        r->len = MAX_INSN_LEN;
        r->fn = x86_exec_too_long;
        return MAX_INSN_LEN;
    }
    return 0;
}
