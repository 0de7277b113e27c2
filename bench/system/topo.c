/* Topology from hwloc (what lab users' NUMA boxes have: nodes, their CPUs,
 * memory and distances) and placement with libnuma: a worker bound to a
 * node runs on that node's CPUs and allocates strictly from its memory. */
#include "topo.h"
#include <errno.h>
#include <hwloc.h>
#include <numa.h>
#include <numaif.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

unsigned int topo_nr_nodes(void)
{
	if (numa_available() < 0)
		return 1;
	return (unsigned int)numa_num_configured_nodes();
}

int topo_node_valid(int node)
{
	long long free;

	if (node < 0)
		return 0;
	if (numa_available() < 0)
		return node == 0;
	if (node > numa_max_node())
		return 0;
	return numa_node_size64(node, &free) > 0;
}

json_t *topo_json(void)
{
	hwloc_topology_t t;
	json_t *o = json_object(), *nodes = json_array(), *dist = json_array();
	int n;

	if (!o || !nodes || !dist)
		goto fail;
	if (hwloc_topology_init(&t) || hwloc_topology_load(t)) {
		json_object_set_new(o, "source", json_string("none"));
		goto out;
	}
	n = hwloc_get_nbobjs_by_type(t, HWLOC_OBJ_NUMANODE);
	for (int i = 0; i < n; i++) {
		hwloc_obj_t obj = hwloc_get_obj_by_type(t, HWLOC_OBJ_NUMANODE, i);
		char *cpus = NULL;

		hwloc_bitmap_list_asprintf(&cpus, obj->cpuset);
		json_array_append_new(nodes, json_pack("{s:I,s:s,s:I}",
			"id", (json_int_t)obj->os_index, "cpus", cpus ? cpus : "",
			"memory_bytes", (json_int_t)obj->attr->numanode.local_memory));
		free(cpus);
	}
	{
		struct hwloc_distances_s *d[1];
		unsigned int nr = 1;

		if (!hwloc_distances_get_by_type(t, HWLOC_OBJ_NUMANODE, &nr, d,
						 HWLOC_DISTANCES_KIND_FROM_OS, 0) && nr) {
			for (unsigned int i = 0; i < d[0]->nbobjs; i++) {
				json_t *row = json_array();

				for (unsigned int j = 0; j < d[0]->nbobjs; j++)
					json_array_append_new(row, json_integer(
						(json_int_t)d[0]->values[i * d[0]->nbobjs + j]));
				json_array_append_new(dist, row);
			}
			hwloc_distances_release(t, d[0]);
		}
	}
	json_object_set_new(o, "source", json_string("hwloc"));
	json_object_set_new(o, "packages", json_integer(
		hwloc_get_nbobjs_by_type(t, HWLOC_OBJ_PACKAGE)));
	json_object_set_new(o, "cores", json_integer(
		hwloc_get_nbobjs_by_type(t, HWLOC_OBJ_CORE)));
	json_object_set_new(o, "pus", json_integer(
		hwloc_get_nbobjs_by_type(t, HWLOC_OBJ_PU)));
	hwloc_topology_destroy(t);
out:
	json_object_set_new(o, "nodes", nodes);
	json_object_set_new(o, "distances", dist);
	return o;
fail:
	json_decref(o);
	json_decref(nodes);
	json_decref(dist);
	return NULL;
}

int topo_bind_node(int node)
{
	struct bitmask *bm;

	if (numa_available() < 0)
		return node == 0 ? 0 : -ENODEV;
	if (!topo_node_valid(node))
		return -EINVAL;
	if (numa_run_on_node(node))
		return -errno;
	bm = numa_allocate_nodemask();
	if (!bm)
		return -ENOMEM;
	numa_bitmask_setbit(bm, (unsigned int)node);
	numa_set_bind_policy(1);
	numa_set_membind(bm);
	numa_bitmask_free(bm);
	return 0;
}

int topo_policy_parse(const char *s)
{
	if (!strcmp(s, "bind"))
		return TOPO_POL_BIND;
	if (!strcmp(s, "preferred"))
		return TOPO_POL_PREFERRED;
	if (!strcmp(s, "interleave"))
		return TOPO_POL_INTERLEAVE;
	return -1;
}

const char *topo_policy_name(int pol)
{
	static const char *const n[] = { "none", "bind", "preferred", "interleave" };

	return pol >= 0 && pol <= TOPO_POL_INTERLEAVE ? n[pol] : "?";
}

int topo_nodes_valid(const char *nodes)
{
	return topo_nodes_check(nodes, true);
}

int topo_nodes_check(const char *nodes, bool exist)
{
	/* parsed here, not by numa_parse_nodestring: it prints its own warnings */
	const char *p = nodes;

	while (*p) {
		char *end;
		long a = strtol(p, &end, 10), b;

		if (end == p || a < 0)
			return 0;
		b = a;
		if (*end == '-') {
			p = end + 1;
			b = strtol(p, &end, 10);
			if (end == p || b < a)
				return 0;
		}
		for (long n = a; exist && n <= b; n++)
			if (!topo_node_valid((int)n))
				return 0;
		if (*end == ',' && end[1])
			end++;
		else if (*end)
			return 0;
		p = end;
	}
	return p != nodes;
}

int topo_place(int cpu_node, const char *mem_nodes, int pol)
{
	struct bitmask *bm;
	int first = -1;

	if (numa_available() < 0)
		return (cpu_node <= 0 && (!*mem_nodes || !strcmp(mem_nodes, "0"))) ? 0 : -ENODEV;
	if (cpu_node >= 0 && numa_run_on_node(cpu_node))
		return -errno;
	if (!*mem_nodes)
		return 0;
	bm = numa_parse_nodestring(mem_nodes);
	if (!bm)
		return -EINVAL;
	for (unsigned int i = 0; i < bm->size && first < 0; i++)
		if (numa_bitmask_isbitset(bm, i))
			first = (int)i;
	switch (pol) {
	case TOPO_POL_PREFERRED:
		numa_set_preferred(first);
		break;
	case TOPO_POL_INTERLEAVE:
		numa_set_interleave_mask(bm);
		break;
	default:
		numa_set_bind_policy(1);
		numa_set_membind(bm);
		break;
	}
	numa_bitmask_free(bm);
	return 0;
}
