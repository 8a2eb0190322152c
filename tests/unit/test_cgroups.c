// SPDX-License-Identifier: MIT
/* Container names from cgroup paths, and the --cgroup/--container selections over a trace. */
#include <unistd.h>

#include "analyze/cgroups.h"
#include "harness.h"
#include "synth.h"

TEST(container_names_from_runtime_paths)
{
	static const struct {
		const char *path, *want;
	} cases[] = {
		{ "/system.slice/docker-0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef.scope",
		  "docker:0123456789ab" },
		{ "/docker/fedcba9876543210fedcba9876543210fedcba9876543210fedcba9876543210",
		  "docker:fedcba987654" },
		{ "/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod1b2c3d4e_5f60_7182_93a4_b5c6d7e8f901.slice/"
		  "cri-containerd-aaaabbbbccccddddeeeeffff0000111122223333444455556666777788889999.scope",
		  "k8s:1b2c3d4e-5f60-7182-93a4-b5c6d7e8f901/aaaabbbbcccc" },
		{ "/kubepods/besteffort/pod1b2c3d4e-5f60-7182-93a4-b5c6d7e8f901/"
		  "aaaabbbbccccddddeeeeffff0000111122223333444455556666777788889999",
		  "k8s:1b2c3d4e-5f60-7182-93a4-b5c6d7e8f901/aaaabbbbcccc" },
		{ "/machine.slice/libpod-1111222233334444555566667777888899990000aaaabbbbccccddddeeeeffff.scope",
		  "podman:111122223333" },
		{ "/machine.slice/libpod-conmon-1111222233334444555566667777888899990000aaaabbbbccccddddeeeeffff.scope",
		  "podman-conmon:111122223333" },
		{ "/system.slice/crio-1111222233334444555566667777888899990000aaaabbbbccccddddeeeeffff.scope",
		  "crio:111122223333" },
		{ "/lxc.payload.web1/system.slice", "lxc:web1" },
		{ "/system.slice/nginx.service", "systemd:nginx.service" },
		{ "/user.slice/user-1000.slice/user@1000.service/app.slice/foo.service", "systemd:foo.service" },
		{ "/user.slice/user-1000.slice/session-3.scope", "systemd:session-3.scope" },
		{ "/", "" },
		{ "/system.slice", "" },
		{ "/docker-notanid.scope", "systemd:docker-notanid.scope" },
	};
	char out[160];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		bool named = cgroup__container(cases[i].path, out, sizeof(out));
		CHECK_STR(out, cases[i].want);
		CHECK_EQ(named, cases[i].want[0] != 0);
	}
	CHECK(!cgroup__container(NULL, out, sizeof(out)));
}

TEST(cgroup_selections_by_path_regex_and_container)
{
	static const struct st_cgroup groups[] = {
		{ 1, 0, "/" },
		{ 5, 1, "/system.slice" },
		{ 6, 2, "/system.slice/nginx.service" },
		{ 7, 2, "/system.slice/docker-0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef.scope" },
		{ 8, 1, "/system.slicey" },
	};
	struct st_writer *w;
	struct st_chunk c;
	struct st_reader *r;
	struct cgroup_set s;
	char why[128], buf[64];

	int fd = synth__open(&w);
	st_chunk__init(&c, ST_CHUNK_CGROUPS, ST_CPU_NONE);
	for (size_t i = 0; i < 5; i++)
		CHECK_EQ(st_chunk__add_cgroup(&c, &groups[i]), 0);
	synth__put(w, &c);
	st_writer__finish(w);
	st_writer__free(w);
	st_chunk__free(&c);
	CHECK_EQ(st_reader__open_fd(fd, ST_READ_STRICT, &r), 0);
	if (!r)
		return;
	CHECK_EQ(st_reader__ncgroups(r), 5);
	CHECK_STR(st_reader__cgroup(r, 6)->path, "/system.slice/nginx.service");
	/* A path: it and what is below it, not a sibling sharing its prefix. */
	CHECK_EQ(cgroup_set__by_path(&s, r, "/system.slice/", why, sizeof(why)), 0);
	CHECK_EQ(s.n, 3);
	CHECK(cgroup_set__has(&s, 5) && cgroup_set__has(&s, 7) && !cgroup_set__has(&s, 8));
	cgroup_set__free(&s);
	CHECK_EQ(cgroup_set__by_path(&s, r, "nginx|docker", why, sizeof(why)), 0);
	CHECK_EQ(s.n, 2);
	cgroup_set__free(&s);
	CHECK(cgroup_set__by_path(&s, r, "(", why, sizeof(why)) < 0);
	CHECK_EQ(cgroup_set__by_container(&s, r, "docker:0123456789ab"), 0);
	CHECK(s.n == 1 && cgroup_set__has(&s, 7));
	cgroup_set__free(&s);
	CHECK_EQ(cgroup_set__by_container(&s, r, "0123"), 0); /* the start of an id */
	CHECK_EQ(s.n, 1);
	cgroup_set__free(&s);
	CHECK_EQ(cgroup_set__by_container(&s, r, "systemd:nginx.service"), 0);
	CHECK(s.n == 1 && cgroup_set__has(&s, 6));
	cgroup_set__free(&s);
	CHECK_STR(cgroup__path(r, 99, buf, sizeof(buf)), "cgroup:99");
	CHECK(cgroup__path(r, 0, buf, sizeof(buf)) == NULL);
	CHECK_STR(cgroup__group_label(r, 1, true, buf, sizeof(buf)), "(no container)");
	CHECK_EQ(cgroup__group_key(r, 6, true), cgroup__group_key(r, 6, true));
	CHECK(cgroup__group_key(r, 6, true) != cgroup__group_key(r, 7, true));
	st_reader__free(r);
	close(fd);
}
