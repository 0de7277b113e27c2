/* NUMA topology (hwloc) and placement (libnuma). */
#ifndef STALLBENCH_TOPO_H
#define STALLBENCH_TOPO_H
#include <stdbool.h>
#include <jansson.h>
#include <stdint.h>

/* Number of NUMA nodes with memory (>= 1). */
unsigned int topo_nr_nodes(void);
/* 1 if node exists and has memory, else 0. */
int topo_node_valid(int node);
/* {"nodes":[{"id","cpus":"0-3","memory_bytes"}],"distances":[[...]],"source":"hwloc"}. */
json_t *topo_json(void);
/* Binds the calling task's CPUs and memory to node (strict). 0 or -errno. */
int topo_bind_node(int node);
enum topo_policy { TOPO_POL_NONE, TOPO_POL_BIND, TOPO_POL_PREFERRED, TOPO_POL_INTERLEAVE };
/* "bind" -> TOPO_POL_BIND...; -1 if not a policy. */
int topo_policy_parse(const char *s);
const char *topo_policy_name(int pol);
/* Whether "0", "1", "0,1", "0-1" names nodes of this machine with memory. */
int topo_nodes_valid(const char *nodes);
/* The same; with exist false only the list's grammar. */
int topo_nodes_check(const char *nodes, bool exist);
/* Runs the calling task on cpu_node's CPUs (-1: anywhere) and places its
 * memory on mem_nodes ("" : as the kernel likes) with pol. 0 or -errno. */
int topo_place(int cpu_node, const char *mem_nodes, int pol);
#endif
