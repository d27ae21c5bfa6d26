/* verify.c -- placeholder until the verification subsystem lands */
#include "postgres.h"
#include "index_advisor.h"

void
ia_verify_init(void)
{
}
