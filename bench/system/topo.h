/* NUMA topology (hwloc) and placement (libnuma). */
#ifndef STALLBENCH_TOPO_H
#define STALLBENCH_TOPO_H
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
/* Node on which the page at addr resides (move_pages query), or -errno. */
int topo_page_node(void *addr);
#endif
