// SPDX-License-Identifier: GPL-2.0-or-later
/* A tree view with libsmartcols for people, a flat pre-order JSON list for programs. Both
 * show the root's ppid as 0: the tree, not the host, is what they describe. */
#include "tree-print.h"
#include "json.h"

#include <libsmartcols.h>

enum { COL_PID, COL_PPID, COL_PGID, COL_SID, COL_STATE, COL_THREADS, COL_COMMAND };

static int print_table(const struct pstree *tree)
{
	static const struct {
		const char *name;
		int flags;
	} cols[] = {
		[COL_PID] = {"PID", SCOLS_FL_RIGHT},     [COL_PPID] = {"PPID", SCOLS_FL_RIGHT},
		[COL_PGID] = {"PGID", SCOLS_FL_RIGHT},   [COL_SID] = {"SID", SCOLS_FL_RIGHT},
		[COL_STATE] = {"STATE", 0},              [COL_THREADS] = {"THREADS", SCOLS_FL_RIGHT},
		[COL_COMMAND] = {"COMMAND", SCOLS_FL_TREE},
	};
	struct libscols_table *tb = scols_new_table();
	struct libscols_line **lines = xzalloc(tree->nr * sizeof(*lines));
	size_t i;
	int ret = -1;

	if (!tb)
		goto out;
	for (i = 0; i < ARRAY_SIZE(cols); i++)
		if (!scols_table_new_column(tb, cols[i].name, 0, cols[i].flags))
			goto out;
	for (i = 0; i < tree->nr; i++) {
		const struct task *t = &tree->tasks[i];
		struct libscols_line *ln;
		char buf[5][16];

		ln = scols_table_new_line(tb, t->parent >= 0 ? lines[t->parent] : NULL);
		if (!ln)
			goto out;
		lines[i] = ln;
		snprintf(buf[0], sizeof(buf[0]), "%d", t->pid);
		snprintf(buf[1], sizeof(buf[1]), "%d", t->ppid);
		snprintf(buf[2], sizeof(buf[2]), "%d", t->pgid);
		snprintf(buf[3], sizeof(buf[3]), "%d", t->sid);
		snprintf(buf[4], sizeof(buf[4]), "%zu", t->nr_threads);
		if (scols_line_set_data(ln, COL_PID, buf[0]) || scols_line_set_data(ln, COL_PPID, buf[1]) ||
		    scols_line_set_data(ln, COL_PGID, buf[2]) || scols_line_set_data(ln, COL_SID, buf[3]) ||
		    scols_line_set_data(ln, COL_STATE, task_state_name(t->state)) ||
		    scols_line_set_data(ln, COL_THREADS, buf[4]) ||
		    scols_line_set_data(ln, COL_COMMAND, t->comm))
			goto out;
	}
	ret = scols_print_table(tb);
out:
	if (ret)
		pr_err("cannot print the tree");
	free(lines);
	scols_unref_table(tb);
	return ret;
}

static struct json_object *task_to_json(const struct task *t)
{
	struct json_object *o = json_object_new_object(), *tids;
	size_t j;

	json_object_object_add(o, "pid", json_object_new_int(t->pid));
	json_object_object_add(o, "ppid", json_object_new_int(t->ppid));
	json_object_object_add(o, "pgid", json_object_new_int(t->pgid));
	json_object_object_add(o, "sid", json_object_new_int(t->sid));
	json_object_object_add(o, "state", json_object_new_string(task_state_name(t->state)));
	if (t->state == TASK_DEAD)
		json_object_object_add(o, "exit_code", json_object_new_int(t->exit_code));
	tids = json_object_new_array_ext((int)t->nr_threads);
	for (j = 0; j < t->nr_threads; j++)
		json_object_array_add(tids, json_object_new_int(t->threads[j].tid));
	json_object_object_add(o, "threads", tids);
	json_object_object_add(o, "comm", json_object_new_string(t->comm));
	return o;
}

static int print_json(const struct pstree *tree)
{
	struct json_object *root = json_object_new_object();
	struct json_object *list = json_object_new_array_ext((int)tree->nr);
	size_t i;
	int ret;

	for (i = 0; i < tree->nr; i++)
		json_object_array_add(list, task_to_json(&tree->tasks[i]));
	json_object_object_add(root, "processes", list);
	ret = json_print(root);
	json_object_put(root);
	return ret;
}

int tree_print(const struct pstree *tree, bool json)
{
	return json ? print_json(tree) : print_table(tree);
}
