/* usage.c -- placeholder until the usage subsystem lands */
#include "postgres.h"
#include "index_advisor.h"

void
ia_usage_init(void)
{
}
