//! Taking code out of the resident set, as a kernel frees its init sections after boot: a bundle's start runs code
//! it never runs again (every member's migrations, OpenAPI documents and routers before `ready`; the platform
//! channel's first connection, backfills and first queries after it), and so does every burst of work later (an
//! audit's crawl, a batch of deliveries). The kernel maps 64 KiB of the binary around every page that code touched,
//! and those pages would stay mapped, and counted in the process's RSS, for its whole life. [`drop_resident`]
//! unmaps the binary's read-only pages (`super::resident` calls it right after `ready` and then periodically); the
//! pages stay in the page cache, and the kernel maps back (a minor fault, no disk read) whatever runs next.

use std::fmt;

/// One mapping of the process (a line of `/proc/self/smaps` and the fields under it that matter here).
#[derive(Debug, PartialEq, Eq)]
struct Mapping {
    start: usize,
    end: usize,
    writable: bool,
    inode: u64,
    path: String,
    /// Private copies of the file's pages (relocated read-only data): these exist nowhere else and must be kept.
    /// `None` until smaps said, and a mapping it says nothing about is kept.
    anonymous_kib: Option<u64>,
    /// Resident pages (`Rss:`).
    rss_kib: u64,
}

/// What one drop did, for the log.
#[derive(Debug, Default, PartialEq, Eq)]
pub(crate) struct Dropped {
    pub mappings: usize,
    /// What was resident of those mappings just before.
    pub resident_kib: u64,
}

impl fmt::Display for Dropped {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} KiB resident in {} mapping(s)", self.resident_kib, self.mappings)
    }
}

/// Parses `/proc/<pid>/smaps`: a header line per mapping (`start-end perms offset dev inode path`), then its fields.
fn parse_smaps(text: &str) -> Vec<Mapping> {
    let mut mappings: Vec<Mapping> = Vec::new();
    for line in text.lines() {
        let mut words = line.split_ascii_whitespace();
        let Some(first) = words.next() else { continue };
        if let Some((start, end)) = first.split_once('-')
            && let (Ok(start), Ok(end)) = (usize::from_str_radix(start, 16), usize::from_str_radix(end, 16))
        {
            let perms = words.next().unwrap_or("");
            let inode = words.nth(2).and_then(|w| w.parse().ok()).unwrap_or(0);
            let path = words.collect::<Vec<_>>().join(" ");
            let writable = perms.contains('w');
            mappings.push(Mapping { start, end, writable, inode, path, anonymous_kib: None, rss_kib: 0 });
        } else if let Some(mapping) = mappings.last_mut() {
            let kib = words.next().and_then(|w| w.parse().ok());
            match first {
                "Anonymous:" => mapping.anonymous_kib = kib,
                "Rss:" => mapping.rss_kib = kib.unwrap_or(0),
                _ => {}
            }
        }
    }
    mappings
}

/// The mappings of the file that holds `address` (the binary itself) whose pages can be discarded without losing
/// anything: not writable, and no private copy of any page (which the relocated read-only data has).
fn discardable(mappings: &[Mapping], address: usize) -> Vec<&Mapping> {
    let Some(own) = mappings.iter().find(|m| (m.start..m.end).contains(&address) && m.inode != 0) else {
        return Vec::new();
    };
    mappings
        .iter()
        .filter(|m| m.inode == own.inode && m.path == own.path && !m.writable && m.anonymous_kib == Some(0))
        .collect()
}

/// An address inside the binary's own code (this function's).
fn own_address() -> usize {
    own_address as fn() -> usize as usize
}

/// Unmaps the resident pages of the binary's code and read-only data (see the module's documentation).
///
/// smaps is read again on every call, not once: a mapping of the binary can gain private pages after start (a
/// debugger's breakpoints are private copies of code pages), and those must never be discarded.
#[cfg(target_os = "linux")]
pub(crate) fn drop_resident() -> std::io::Result<Dropped> {
    let mappings = parse_smaps(&std::fs::read_to_string("/proc/self/smaps")?);
    let mut dropped = Dropped::default();
    for mapping in discardable(&mappings, own_address()) {
        let len = mapping.end - mapping.start;
        #[allow(
            unsafe_code,
            reason = "madvise can discard memory, so no wrapper makes it safe; the range is checked above"
        )]
        // SAFETY: the range is one whole mapping of this process's own binary, read-only and with no private page
        // (checked just above from smaps; nothing can write to a read-only mapping in between), so its contents are
        // exactly the file's: MADV_DONTNEED only unmaps the pages, and the next access maps them again from the file.
        // No Rust object owns these bytes.
        let status = unsafe { libc::madvise(mapping.start as *mut libc::c_void, len, libc::MADV_DONTNEED) };
        if status != 0 {
            return Err(std::io::Error::last_os_error());
        }
        dropped.mappings += 1;
        dropped.resident_kib += mapping.rss_kib;
    }
    Ok(dropped)
}

#[cfg(not(target_os = "linux"))]
pub(crate) fn drop_resident() -> std::io::Result<Dropped> {
    Ok(Dropped::default())
}

#[cfg(all(test, target_os = "linux"))]
mod tests {
    #![allow(clippy::unwrap_used, reason = "tests")]

    use super::*;

    const SMAPS: &str = "\
5555a000-5555b000 r--p 00000000 fe:01 4242 /opt/temps bundle/bin
Size:                  4 kB
Anonymous:             0 kB
5555b000-5555f000 r-xp 00001000 fe:01 4242 /opt/temps bundle/bin
Rss:                  12 kB
Anonymous:             0 kB
5555f000-55560000 r--p 00005000 fe:01 4242 /opt/temps bundle/bin
Anonymous:             4 kB
55560000-55561000 rw-p 00006000 fe:01 4242 /opt/temps bundle/bin
Anonymous:             4 kB
55561000-55562000 r--p 00007000 fe:01 4242 /opt/temps bundle/bin
Rss:                   4 kB
7f000000-7f001000 r-xp 00000000 fe:01 99 /usr/lib/libc.so.6
Anonymous:             0 kB
7f002000-7f003000 rw-p 00000000 00:00 0
Anonymous:             4 kB
VmFlags: rd wr mr mw me ac
";

    #[test]
    fn only_the_binarys_pages_that_equal_the_file_are_discardable() {
        let mappings = parse_smaps(SMAPS);
        assert_eq!(mappings.len(), 7);
        assert_eq!(mappings[1].path, "/opt/temps bundle/bin", "a path with a space is kept whole");
        let ranges: Vec<_> = discardable(&mappings, 0x5555c123).iter().map(|m| (m.start, m.end)).collect();
        // The relocated read-only data (a private page), the writable data, a mapping smaps says nothing about and
        // libc are left alone.
        assert_eq!(ranges, [(0x5555a000, 0x5555b000), (0x5555b000, 0x5555f000)]);
        assert_eq!(mappings[1].rss_kib, 12, "the resident size is read");
        assert!(discardable(&mappings, 0x7f002100).is_empty(), "an anonymous mapping names no file");
    }

    #[test]
    fn the_binary_keeps_running_after_its_code_was_dropped() {
        let before = resident_kib();
        let dropped = drop_resident().unwrap();
        assert!(dropped.mappings >= 1 && dropped.resident_kib > 0, "the test binary's code was found: {dropped}");
        let after = resident_kib();
        assert!(after < before, "resident {before} KiB before, {after} KiB after");
        // Code runs again from the file: format, allocate, parse.
        assert_eq!(format!("{:?}", parse_smaps(SMAPS).len()), "7");
    }

    /// Resident KiB of the mappings a drop works on.
    fn resident_kib() -> u64 {
        let mappings = parse_smaps(&std::fs::read_to_string("/proc/self/smaps").unwrap());
        discardable(&mappings, own_address()).iter().map(|m| m.rss_kib).sum()
    }
}
