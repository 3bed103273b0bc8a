//! Which rows are about which mailbox. Rows name mailboxes in many ways (a
//! display name, a GUID, an SMTP address); names that appear together in
//! one row are one mailbox. A ticket is usually about one mailbox: when the
//! evidence names at most one GUID, everything is that mailbox's.

use std::collections::BTreeMap;

/// Groups the name sets of rows into mailboxes.
#[derive(Debug, Default)]
pub struct Mailboxes {
    parent: Vec<usize>,
    index: BTreeMap<String, usize>,
    spelled: Vec<String>,
}

/// True for a GUID such as `957ca0a9-f84f-425e-a263-5b468e90d574`.
pub fn is_guid(text: &str) -> bool {
    let b = text.as_bytes();
    b.len() == 36
        && b.iter().enumerate().all(|(i, c)| {
            if matches!(i, 8 | 13 | 18 | 23) { *c == b'-' } else { c.is_ascii_hexdigit() }
        })
}

impl Mailboxes {
    fn id(&mut self, name: &str) -> usize {
        let key = name.to_lowercase();
        if let Some(&i) = self.index.get(&key) {
            return i;
        }
        let i = self.parent.len();
        self.parent.push(i);
        self.spelled.push(name.to_string());
        self.index.insert(key, i);
        i
    }

    fn root(&mut self, mut i: usize) -> usize {
        while self.parent[i] != i {
            self.parent[i] = self.parent[self.parent[i]];
            i = self.parent[i];
        }
        i
    }

    /// Notes that these names, from one row, are one mailbox.
    pub fn join(&mut self, names: &[String]) {
        let ids: Vec<usize> = names.iter().map(|n| self.id(n)).collect();
        for pair in ids.windows(2) {
            let (a, b) = (self.root(pair[0]), self.root(pair[1]));
            if a != b {
                self.parent[a.max(b)] = a.min(b);
            }
        }
    }

    /// The mailbox groups: each a list of names, in the order their first
    /// name was seen. When at most one group names a GUID they are all one
    /// mailbox; else the groups that name no GUID join the main group (the
    /// one `main` names, else the first with a GUID): a ticket is about
    /// one mailbox, and its other rows name it by an address or a path.
    pub fn groups(&mut self, main: &[String]) -> Vec<Vec<String>> {
        let mut by_root: BTreeMap<usize, Vec<String>> = BTreeMap::new();
        for i in 0..self.parent.len() {
            let r = self.root(i);
            by_root.entry(r).or_default().push(self.spelled[i].clone());
        }
        let groups: Vec<Vec<String>> = by_root.into_values().collect();
        let has_guid = |g: &Vec<String>| g.iter().any(|n| is_guid(n));
        if groups.iter().filter(|g| has_guid(g)).count() <= 1 {
            return vec![groups.concat()];
        }
        let main_at = main
            .first()
            .and_then(|m| groups.iter().position(|g| g.iter().any(|n| n.eq_ignore_ascii_case(m))))
            .or_else(|| groups.iter().position(has_guid))
            .unwrap_or(0);
        let mut out: Vec<Vec<String>> = Vec::new();
        let mut merged = Vec::new();
        for (i, g) in groups.into_iter().enumerate() {
            if i == main_at || !has_guid(&g) {
                merged.extend(g);
            } else {
                out.push(g);
            }
        }
        out.insert(0, merged);
        out.retain(|g| !g.is_empty());
        out
    }
}

/// Which group each name is in (in lower case), for [`group_of`]: one
/// look-up per row, however many names and groups the evidence holds.
pub fn index(groups: &[Vec<String>]) -> BTreeMap<String, usize> {
    let mut index = BTreeMap::new();
    for (g, names) in groups.iter().enumerate() {
        for n in names {
            index.entry(n.to_lowercase()).or_insert(g);
        }
    }
    index
}

/// The group a row's names put it in: a row naming nothing belongs to the
/// main group (the first).
pub fn group_of(index: &BTreeMap<String, usize>, names: &[String]) -> Option<usize> {
    let Some(first) = names.first() else { return Some(0) };
    index.get(&first.to_lowercase()).copied()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn names_seen_together_are_one_mailbox() {
        let mut m = Mailboxes::default();
        m.join(&names(&["user1", "957ca0a9-f84f-425e-a263-5b468e90d574"]));
        m.join(&names(&["user2", "857ca0a9-f84f-425e-a263-5b468e90d574"]));
        m.join(&names(&["USER1", "user1@contoso.com"]));
        let g = m.groups(&names(&["user2"]));
        assert_eq!(g.len(), 2);
        let index = index(&g);
        assert_eq!(group_of(&index, &names(&["user1@contoso.com"])), Some(1));
        assert_eq!(group_of(&index, &names(&["USER2"])), Some(0));
        assert_eq!(group_of(&index, &names(&["nobody"])), None);
        assert_eq!(group_of(&index, &[]), Some(0));
    }

    #[test]
    fn one_guid_takes_every_row() {
        let mut m = Mailboxes::default();
        m.join(&names(&["957ca0a9-f84f-425e-a263-5b468e90d574"]));
        m.join(&names(&["pat@contoso.com"]));
        let g = m.groups(&[]);
        assert_eq!(g.len(), 1);
        assert_eq!(group_of(&index(&g), &[]), Some(0));
    }
}
