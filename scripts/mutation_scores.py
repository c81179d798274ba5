"""Reads `mutmut results --all true` on stdin and prints each module's mutation score:
killed / all mutants checked (survived, timed out, suspicious and untested count
against it)."""
import collections
import sys


def main() -> None:
    counts: dict[str, collections.Counter] = collections.defaultdict(collections.Counter)
    for line in sys.stdin:
        name, _, status = line.strip().rpartition(": ")
        if name and status != "not checked":
            counts[name.split(".x")[0]][status] += 1
    print(f"{'module':<32}{'killed':>8}{'mutants':>9}{'score':>8}  not killed")
    for module, found in sorted(counts.items()):
        total = sum(found.values())
        rest = ", ".join(f"{n} {s}" for s, n in found.items() if s != "killed")
        print(f"{module:<32}{found['killed']:>8}{total:>9}{found['killed'] / total:>8.0%}"
              f"  {rest}")


if __name__ == "__main__":
    main()
