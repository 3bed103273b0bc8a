//! The grid: keys in order, each with its values; its points are the
//! cartesian product, the first key changing slowest. A run is a point and
//! a seed: run `i` is point `i / seeds` under seed `base + i % seeds`.

use crate::scenario::Set;
pub use crate::scenario::set::sweep_key::points;
use crate::scenario::set::sweep_key::{MAX_POINTS, MAX_RUNS, MAX_VALUES, count_text};
use crate::scenario::set::{GridKey, path_segments};

/// Splits `--set` values on the commas outside brackets, braces and
/// quotes: `{ uniform: [1m, 5m] },10m` is two values.
pub fn split_values(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut depth = 0usize;
    let mut quote: Option<char> = None;
    let mut escaped = false;
    let mut from = 0;
    for (i, c) in text.char_indices() {
        match quote {
            Some('"') if escaped => escaped = false,
            Some('"') if c == '\\' => escaped = true,
            Some(q) if c == q => quote = None,
            Some(_) => {}
            None => match c {
                '"' | '\'' => quote = Some(c),
                '[' | '{' => depth += 1,
                ']' | '}' => depth = depth.saturating_sub(1),
                ',' if depth == 0 => {
                    out.push(&text[from..i]);
                    from = i + 1;
                }
                _ => {}
            },
        }
    }
    out.push(&text[from..]);
    out
}

/// A `--set KEY=V1,V2,...` of `cnasim sweep`, or why it is not one.
pub fn grid_flag(arg: &str) -> Result<GridKey, String> {
    let (key, values) = arg.split_once('=').ok_or_else(|| {
        "expected KEY=V1,V2,..., such as population.moves.incremental_sync_interval=12h,1d,7d"
            .to_string()
    })?;
    path_segments(key)?;
    let values = split_values(values)
        .into_iter()
        .map(|v| Set::flag_value(key, v).map_err(|why| format!("`{}`: {why}", v.trim())))
        .collect::<Result<Vec<Set>, String>>()?;
    if values.len() > MAX_VALUES {
        return Err(format!("{} values; a key takes at most {MAX_VALUES}", values.len()));
    }
    Ok(GridKey { key: key.to_string(), values })
}

/// The file's grid with each of `flags` replacing the key it names, or
/// added at the end; refuses keys that overlap (one inside another).
pub fn combine(file: &[GridKey], flags: &[GridKey]) -> Result<Vec<GridKey>, String> {
    let mut grid: Vec<GridKey> = file.to_vec();
    let mut from_flag: Vec<bool> = vec![false; grid.len()];
    for flag in flags {
        match grid.iter().position(|k| k.key == flag.key) {
            Some(i) if from_flag[i] => {
                return Err(format!("--set `{}` is given twice: give its values once", flag.key));
            }
            Some(i) => {
                grid[i] = flag.clone();
                from_flag[i] = true;
            }
            None => {
                grid.push(flag.clone());
                from_flag.push(true);
            }
        }
    }
    let paths: Vec<Vec<String>> =
        grid.iter().map(|k| path_segments(&k.key)).collect::<Result<_, _>>()?;
    let mut given = crate::scenario::set::PathSet::default();
    for (j, path) in paths.iter().enumerate() {
        if let Some(i) = given.add(path) {
            let name = |n: usize| {
                let source = if from_flag[n] { "--set" } else { "the sweep key" };
                format!("{source} `{}`", grid[n].key)
            };
            return Err(format!("{} overlaps {}: give one or the other", name(j), name(i)));
        }
    }
    Ok(grid)
}

/// What a sweep runs: the grid and the seeds.
#[derive(Clone, Debug)]
pub struct Plan {
    /// The grid, keys in order.
    pub grid: Vec<GridKey>,
    /// Seeds per point.
    pub seeds: u64,
    /// The first seed.
    pub base_seed: u64,
}

impl Plan {
    /// A plan, or why it is too large.
    pub fn new(grid: Vec<GridKey>, seeds: u64, base_seed: u64) -> Result<Plan, String> {
        let plan = Plan { grid, seeds, base_seed };
        let points = plan.points();
        let runs = points.saturating_mul(seeds);
        if points > MAX_POINTS || runs > MAX_RUNS {
            return Err(format!(
                "this sweep has {} grid points and {} runs; a sweep has at most {MAX_POINTS} \
                 points and {MAX_RUNS} runs",
                count_text(points),
                count_text(runs)
            ));
        }
        Ok(plan)
    }

    /// Number of grid points (1 for an empty grid).
    pub fn points(&self) -> u64 {
        points(&self.grid.iter().map(|k| k.values.len()).collect::<Vec<_>>())
    }

    /// Number of runs.
    pub fn runs(&self) -> u64 {
        self.points() * self.seeds
    }

    /// The value index of each key at `point`.
    pub fn point(&self, point: u64) -> Vec<usize> {
        coordinates(&self.grid.iter().map(|k| k.values.len()).collect::<Vec<_>>(), point)
    }

    /// The sets of `point`, in key order.
    pub fn sets(&self, point: u64) -> Vec<Set> {
        self.point(point).iter().zip(&self.grid).map(|(&v, k)| k.values[v].clone()).collect()
    }

    /// The seed of run `run`.
    pub fn seed(&self, run: u64) -> u64 {
        seed_of(self.base_seed, self.seeds, run)
    }
}

/// The value index of each key at `point`, the last key changing fastest.
pub fn coordinates(counts: &[usize], point: u64) -> Vec<usize> {
    let mut rest = point;
    let mut out = vec![0; counts.len()];
    for (i, &n) in counts.iter().enumerate().rev() {
        let n = n.max(1) as u64;
        out[i] = (rest % n) as usize;
        rest /= n;
    }
    out
}

/// The seed of run `run`: the base seed plus the run's place among its
/// point's seeds, wrapping past 2^64.
pub fn seed_of(base: u64, seeds: u64, run: u64) -> u64 {
    base.wrapping_add(run % seeds.max(1))
}

/// A slice of the runs: those whose index `i` has `i % count == index - 1`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Shard {
    /// 1-based.
    pub index: u64,
    /// How many shards in all.
    pub count: u64,
}

impl Shard {
    /// Whether run `run` belongs to this shard.
    pub fn has(&self, run: u64) -> bool {
        run % self.count == self.index - 1
    }
}

impl std::str::FromStr for Shard {
    type Err = String;

    /// `I/N`, with 1 <= I <= N.
    fn from_str(s: &str) -> Result<Shard, String> {
        let bad = || format!("expected I/N with 1 <= I <= N, such as 2/8; found `{s}`");
        let (i, n) = s.split_once('/').ok_or_else(bad)?;
        let index: u64 = i.trim().parse().map_err(|_| bad())?;
        let count: u64 = n.trim().parse().map_err(|_| bad())?;
        if index == 0 || index > count {
            return Err(bad());
        }
        Ok(Shard { index, count })
    }
}

impl std::fmt::Display for Shard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_split_on_commas_outside_brackets_and_quotes() {
        let cases: &[(&str, &[&str])] = &[
            ("12h,1d,7d", &["12h", "1d", "7d"]),
            ("{ uniform: [1m, 5m] },10m", &["{ uniform: [1m, 5m] }", "10m"]),
            ("[15m, 30m],[1h]", &["[15m, 30m]", "[1h]"]),
            ("\"a,b\",'c,d',e", &["\"a,b\"", "'c,d'", "e"]),
            ("\"x\\\",y\",z", &["\"x\\\",y\"", "z"]),
            ("one", &["one"]),
            ("", &[""]),
            ("a,", &["a", ""]),
        ];
        for (text, expected) in cases {
            assert_eq!(split_values(text), *expected, "{text}");
        }
    }

    #[test]
    fn points_run_first_key_slowest() {
        let counts = [2, 3];
        let all: Vec<Vec<usize>> = (0..points(&counts)).map(|p| coordinates(&counts, p)).collect();
        assert_eq!(all, [[0, 0], [0, 1], [0, 2], [1, 0], [1, 1], [1, 2]]);
        assert_eq!(points(&[]), 1);
        assert_eq!(coordinates(&[], 0), Vec::<usize>::new());
    }

    #[test]
    fn seeds_wrap() {
        assert_eq!(seed_of(10, 3, 4), 11);
        assert_eq!(seed_of(u64::MAX, 3, 2), 1);
    }

    #[test]
    fn shards_read_and_partition() {
        let s: Shard = "2/3".parse().unwrap();
        assert_eq!(s, Shard { index: 2, count: 3 });
        assert!(s.has(1) && s.has(4) && !s.has(0));
        for bad in ["0/3", "4/3", "3", "a/b", "1/0"] {
            assert!(bad.parse::<Shard>().is_err(), "{bad}");
        }
    }

    #[test]
    fn flags_replace_or_extend_the_file_grid() {
        let file = vec![
            grid_flag("population.moves.share=0.1,0.2").unwrap(),
            grid_flag("population.moves.complete_after=7d").unwrap(),
        ];
        let flags = vec![
            grid_flag("population.moves.share=0.5").unwrap(),
            grid_flag("population.mailboxes=10,20").unwrap(),
        ];
        let grid = combine(&file, &flags).unwrap();
        let keys: Vec<(&str, usize)> =
            grid.iter().map(|k| (k.key.as_str(), k.values.len())).collect();
        assert_eq!(
            keys,
            [
                ("population.moves.share", 1),
                ("population.moves.complete_after", 1),
                ("population.mailboxes", 2)
            ]
        );
        let overlap = combine(&file, &[grid_flag("population.moves={ share: 1 }").unwrap()]);
        assert!(overlap.unwrap_err().contains("overlaps"));
        assert!(grid_flag("population.moves.share=0.1,,0.2").unwrap_err().contains("give a value"));
        assert!(grid_flag("seed=1,2").unwrap_err().contains("--seed"));
    }
}
