/* The command table: a command is cmd_<name>() in its own file plus one row
 * in main.c. completion.c reads the table to write the shell completion. */
#ifndef STALLBENCH_CMDS_H
#define STALLBENCH_CMDS_H

#include <stddef.h>

struct cmd {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *help;
};

extern const struct cmd sb_cmds[];
extern const size_t sb_nr_cmds;

int cmd_run(int argc, char **argv);
int cmd_report(int argc, char **argv);
int cmd_doctor(int argc, char **argv);
int cmd_parse(int argc, char **argv);
int cmd_compare(int argc, char **argv);
int cmd_bundle(int argc, char **argv);
int cmd_plot(int argc, char **argv);
int cmd_watch(int argc, char **argv);
int cmd_completion(int argc, char **argv);

#endif
