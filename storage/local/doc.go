// Package local implements storage.Zone and storage.Output on a folder of
// the machine landingd runs on.
//
// # Guarantees
//
// Put writes a temporary file whose name starts with "." in the target
// folder, fsyncs it, renames it over the final name and fsyncs the folder,
// so a reader sees the old file or the whole new one, and a crash leaves at
// most a hidden temporary file (which List skips). Rename is atomic only
// within one filesystem, which holds because the temporary file sits in
// the target folder.
//
// Move never overwrites: on Linux it uses renameat2 with RENAME_NOREPLACE,
// which is atomic; on filesystems (or systems) without it, it links the
// file under its new name (link fails if the name is taken) and then
// removes the old name, so a crash between the two steps leaves the file
// under both names, never under none. Both folders are fsynced afterwards.
//
// An error the system says may pass if the call is made again (an
// interrupted call, a resource busy for now, a network mount that timed
// out; on Windows a file another process holds open or locked) is marked
// storage.Transient; nothing is retried here (see storage/retry).
//
// Names that could leave the zone are refused with storage.ErrUnsafeName,
// and so is a name that is a symbolic link: on Unix objects are opened
// with O_NOFOLLOW, so the kernel refuses a link at the moment of opening.
// Files and folders whose names start with "." are invisible to List.
//
// # Windows
//
// Windows has no O_NOFOLLOW. There a file is examined without following
// it (a symbolic link or junction, or any other reparse point, is refused),
// opened, and examined again, and the open handle must be the same file
// as both examinations (os.SameFile). This refuses a link planted before
// the open and one swapped in during it, but it is a check around the
// open, not a refusal by the system. Names Windows gives a meaning are
// refused too: a ":" (alternate data streams), device names such as
// "NUL.csv", and names ending in a dot or space. Move links and removes
// (there is no renameat2). Folder modes are not enforced.
package local
