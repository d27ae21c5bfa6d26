/*-------------------------------------------------------------------------
 *
 * ia_nodes.h
 *		Other nodes (nodes.c): the node settings and the refusal of writing
 *		functions on a hot standby.
 *
 *-------------------------------------------------------------------------
 */
#ifndef IA_NODES_H
#define IA_NODES_H

extern void ia_nodes_init(void);	/* by _PG_init, once */
extern void ia_refuse_during_recovery(const char *what);

#endif							/* IA_NODES_H */
