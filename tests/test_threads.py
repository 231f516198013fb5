import os

import pytest

from digitpad import threads


@pytest.mark.parametrize("value, expected", [("3", 3), ("4,2", 4), (" 2 ", 2), ("0", None), ("", None), ("many", None)])
def test_omp_num_threads_is_read_as_a_positive_count(value, expected):
    assert threads.requested_threads({"OMP_NUM_THREADS": value}) == expected


def _cgroup_v2(tmp_path, quota_line):
    group = tmp_path / "fs" / "user.slice" / "app"
    group.mkdir(parents=True)
    (group / "cpu.max").write_text(quota_line)
    proc = tmp_path / "cgroup"
    proc.write_text("0::/user.slice/app\n")
    return tmp_path / "fs", proc


def test_a_cgroup_v2_quota_is_read_in_cores(tmp_path):
    root, proc = _cgroup_v2(tmp_path, "150000 100000\n")
    assert threads.cgroup_quota_cores(root, proc) == pytest.approx(1.5)


def test_an_unlimited_cgroup_has_no_quota(tmp_path):
    root, proc = _cgroup_v2(tmp_path, "max 100000\n")
    assert threads.cgroup_quota_cores(root, proc) is None


def test_a_parent_cgroups_smaller_quota_wins(tmp_path):
    root, proc = _cgroup_v2(tmp_path, "400000 100000\n")
    (root / "user.slice" / "cpu.max").write_text("100000 100000\n")
    assert threads.cgroup_quota_cores(root, proc) == pytest.approx(1.0)


def test_a_cgroup_v1_quota_is_read_in_cores(tmp_path):
    group = tmp_path / "fs" / "cpu,cpuacct" / "docker" / "abc"
    group.mkdir(parents=True)
    (group / "cpu.cfs_quota_us").write_text("200000\n")
    (group / "cpu.cfs_period_us").write_text("100000\n")
    proc = tmp_path / "cgroup"
    proc.write_text("5:cpu,cpuacct:/docker/abc\n3:memory:/docker/abc\n")
    assert threads.cgroup_quota_cores(tmp_path / "fs", proc) == pytest.approx(2.0)


def test_usable_cores_are_the_affinity_mask_capped_by_the_quota(monkeypatch):
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {0, 1, 2, 3, 5, 7}, raising=False)
    monkeypatch.setattr(threads, "cgroup_quota_cores", lambda: None)
    assert threads.usable_cores() == 6
    monkeypatch.setattr(threads, "cgroup_quota_cores", lambda: 2.5)
    assert threads.usable_cores() == 2
    monkeypatch.setattr(threads, "cgroup_quota_cores", lambda: 0.3)  # still one thread
    assert threads.usable_cores() == 1


def test_training_threads_follow_the_idle_cores_and_the_environment(monkeypatch):
    monkeypatch.delenv("OMP_NUM_THREADS", raising=False)
    monkeypatch.setattr(threads, "usable_cores", lambda: 4)
    monkeypatch.setattr(threads, "idle_cores", lambda: 3.9)
    assert threads.training_threads() == 4
    assert threads.training_threads(reserve=1) == 3
    monkeypatch.setattr(threads, "idle_cores", lambda: 1.2)  # another program keeps 3 busy
    assert threads.training_threads() == 1
    monkeypatch.setattr(threads, "idle_cores", lambda: 0.0)
    assert threads.training_threads() == 1 and threads.training_threads(reserve=1) == 1
    assert threads.training_threads(measure_load=False) == 4
    monkeypatch.setenv("OMP_NUM_THREADS", "3")  # the user's word wins
    assert threads.training_threads() == 3


def test_idle_cores_are_measured_from_proc_stat(tmp_path, monkeypatch):
    stat = tmp_path / "stat"
    samples = iter(["cpu 100 0 100 800 0 0 0 0 0 0\n", "cpu 150 0 150 900 0 0 0 0 0 0\n"])
    monkeypatch.setattr(threads.time, "sleep", lambda s: stat.write_text(next(samples)))
    stat.write_text(next(samples))
    monkeypatch.setattr(os, "cpu_count", lambda: 2)
    assert threads.idle_cores(stat=stat) == pytest.approx(1.0)  # 100 busy of 200 jiffies
    assert threads.idle_cores(stat=tmp_path / "absent") is None


def test_the_load_watch_follows_the_cpu_this_process_gets(tmp_path, monkeypatch):
    stat = tmp_path / "stat"
    stat.write_text("cpu 0 0 0 0 0\n")
    clock = {"now": 0.0, "own": 0.0}
    monkeypatch.delenv("OMP_NUM_THREADS", raising=False)
    monkeypatch.setattr(threads.time, "monotonic", lambda: clock["now"])
    monkeypatch.setattr(threads.time, "process_time", lambda: clock["own"])
    monkeypatch.setattr(threads, "usable_cores", lambda: 4)
    monkeypatch.setattr(os, "cpu_count", lambda: 4)
    watch = threads.LoadWatch(interval_s=2.0, stat=stat)

    def after(seconds, own_cpu_s, busy_jiffies, idle_jiffies):
        clock["now"] += seconds
        clock["own"] += own_cpu_s
        busy, idle = map(int, stat.read_text().split()[1:3])
        stat.write_text(f"cpu {busy + busy_jiffies} 0 0 {idle + idle_jiffies} 0\n")
        return watch.threads()

    assert after(1.0, 4.0, 400, 0) is None  # too soon to decide
    assert after(1.0, 4.0, 400, 0) == 4  # all four cores ours, all busy
    assert after(2.0, 2.0, 800, 0) == 1  # another program got three quarters of the machine
    assert after(2.0, 2.0, 400, 400) == 3  # ... and now half the machine is idle
    monkeypatch.setenv("OMP_NUM_THREADS", "2")
    assert threads.LoadWatch(stat=stat).threads() is None  # the user's choice stands
