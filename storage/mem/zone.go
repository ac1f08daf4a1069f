package mem

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"landingd/storage"
)

// Op names a Zone method, for faults and call counts.
type Op string

// The operations a Fault can target.
const (
	OpList   Op = "list"
	OpOpen   Op = "open"
	OpMove   Op = "move"
	OpPut    Op = "put"
	OpDelete Op = "delete"
)

// Fault is what happens on chosen calls of one operation. The zone's
// state changes first (Vanish, Replace), as if the district acted just
// before the call; then the call fails with Err, or goes ahead against
// the changed state, and an Open's stream may be cut short (ShortRead).
type Fault struct {
	Op Op
	// Name limits the fault to calls on this object ("" for any). For
	// List, which names no object, leave it empty.
	Name string
	// Call is which matching call the fault fires on, counting from 1;
	// 0 fires it on every matching call.
	Call int

	// Err, when set, is returned (wrapped as "op object: err") instead
	// of doing the call. Mark it with storage.Transient for a fault a
	// retry may cure.
	Err error
	// Lost, for Move, Put and Delete, does the call and then returns
	// Err: the call succeeded but its answer was lost, as when a
	// connection drops just after the server acted.
	Lost bool
	// Vanish removes the object from the top level before the call: the
	// district deleted it.
	Vanish bool
	// Replace, when non-nil, replaces the object at the top level with
	// these bytes, a new modification time and a new ETag before the
	// call: the district uploaded a new version.
	Replace []byte
	// ShortRead, for Open, cuts the stream after this many bytes: the
	// next Read returns ReadErr.
	ShortRead int64
	// ReadErr is what a short read returns; nil means a transient
	// io.ErrUnexpectedEOF, as a dropped connection gives. io.EOF makes a
	// clean but short stream.
	ReadErr error
}

type object struct {
	data []byte
	mod  time.Time
	etag string
}

type armed struct {
	Fault
	seen int
}

// Zone is a landing zone held in memory. It meets the storage.Zone
// contract (storagetest's suite runs against it), and a test can make
// chosen calls fail (Inject) and count them (Calls). The zero value is
// not usable: call NewZone. It is safe for concurrent use.
type Zone struct {
	// Now is the clock for the modification times Put, Seed's callers and
	// Replace faults give, and for names taken on a clash; nil means
	// time.Now.
	Now func() time.Time

	name    string
	mu      sync.Mutex
	folders map[storage.Folder]map[string]*object
	version int
	faults  []*armed
	calls   map[Op]int
	closed  bool
}

// NewZone returns an empty zone; name appears in String as "mem://name".
func NewZone(name string) *Zone {
	return &Zone{
		name: name,
		folders: map[storage.Folder]map[string]*object{
			storage.Top: {}, storage.Processed: {}, storage.Rejected: {},
		},
		calls: map[Op]int{},
	}
}

// String names the zone: "mem://name".
func (z *Zone) String() string { return "mem://" + z.name }

// Close marks the zone closed; it is safe to call more than once. Later
// calls still work, as a backend's reconnect would.
func (z *Zone) Close() error {
	z.mu.Lock()
	z.closed = true
	z.mu.Unlock()
	return nil
}

// Closed reports whether Close was called.
func (z *Zone) Closed() bool {
	z.mu.Lock()
	defer z.mu.Unlock()
	return z.closed
}

// Inject arms f. Faults stay armed for the zone's life; each counts its
// own matching calls.
func (z *Zone) Inject(f Fault) {
	z.mu.Lock()
	z.faults = append(z.faults, &armed{Fault: f})
	z.mu.Unlock()
}

// Calls returns how many times op was called, faulty calls included.
func (z *Zone) Calls(op Op) int {
	z.mu.Lock()
	defer z.mu.Unlock()
	return z.calls[op]
}

// Seed puts an object into folder out of band, as a district's upload
// would, replacing any object of that name. It never faults.
func (z *Zone) Seed(folder storage.Folder, name string, data []byte, mtime time.Time) {
	z.mu.Lock()
	defer z.mu.Unlock()
	z.folders[folder][name] = z.newObject(data, mtime)
}

// Names returns the names in folder, in no particular order, without
// counting as a call or firing a fault.
func (z *Zone) Names(folder storage.Folder) []string {
	z.mu.Lock()
	defer z.mu.Unlock()
	var out []string
	for n := range z.folders[folder] {
		out = append(out, n)
	}
	return out
}

// Content returns the bytes of name in folder and whether it is there,
// without counting as a call or firing a fault.
func (z *Zone) Content(folder storage.Folder, name string) ([]byte, bool) {
	z.mu.Lock()
	defer z.mu.Unlock()
	o, ok := z.folders[folder][name]
	if !ok {
		return nil, false
	}
	return bytes.Clone(o.data), true
}

// newObject copies data into a new version. z.mu is held.
func (z *Zone) newObject(data []byte, mtime time.Time) *object {
	z.version++
	return &object{data: bytes.Clone(data), mod: mtime, etag: `"v` + strconv.Itoa(z.version) + `"`}
}

func (z *Zone) now() time.Time {
	if z.Now != nil {
		return z.Now()
	}
	return time.Now()
}

// begin counts a call of op on name and applies the faults that fire on
// it. It returns the short read, if any, that an Open's stream must give,
// the error a fault sets, and lost: whether that error comes after the
// call is done (Fault.Lost) rather than instead of it. z.mu is held.
func (z *Zone) begin(op Op, name string) (short *Fault, lost bool, err error) {
	z.calls[op]++
	for _, a := range z.faults {
		if a.Op != op || (a.Name != "" && a.Name != name) {
			continue
		}
		a.seen++
		if a.Call != 0 && a.seen != a.Call {
			continue
		}
		if a.Vanish {
			delete(z.folders[storage.Top], name)
		}
		if a.Replace != nil {
			z.folders[storage.Top][name] = z.newObject(a.Replace, z.now())
		}
		if a.Err != nil && err == nil {
			err, lost = a.Err, a.Lost && (op == OpMove || op == OpPut || op == OpDelete)
		}
		if a.ShortRead > 0 && short == nil {
			short = &a.Fault
		}
	}
	return short, lost, err
}

func (z *Zone) label(f storage.Folder, name string) string {
	if f == storage.Top {
		return z.String() + "/" + name
	}
	return z.String() + "/" + string(f) + "/" + name
}

// check returns the error for a bad folder or name, or ctx's error.
func check(ctx context.Context, f storage.Folder, name string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := storage.CheckFolder(f); err != nil {
		return err
	}
	return storage.CheckName(name)
}

// List calls fn for each object in folder, sorted by name, with the
// zone unlocked so that fn may call the zone.
func (z *Zone) List(ctx context.Context, folder storage.Folder, fn func(storage.Object) error) error {
	label := z.label(folder, "")
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("list %s: %w", label, err)
	}
	if err := storage.CheckFolder(folder); err != nil {
		return fmt.Errorf("list %s: %w", label, err)
	}
	z.mu.Lock()
	_, _, ferr := z.begin(OpList, "")
	var objs []storage.Object
	if ferr == nil {
		for n, o := range z.folders[folder] {
			objs = append(objs, storage.Object{Name: n, Size: int64(len(o.data)), ModTime: o.mod, ETag: o.etag})
		}
	}
	z.mu.Unlock()
	if ferr != nil {
		return fmt.Errorf("list %s: %w", label, ferr)
	}
	sortObjects(objs)
	for _, o := range objs {
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("list %s: %w", label, err)
		}
		if err := fn(o); err != nil {
			return err
		}
	}
	return nil
}

// Open returns a reader over a copy of the object's bytes as they are
// now; reads return ctx's error once ctx ends.
func (z *Zone) Open(ctx context.Context, folder storage.Folder, name string) (io.ReadCloser, error) {
	label := z.label(folder, name)
	if err := check(ctx, folder, name); err != nil {
		return nil, fmt.Errorf("open %s: %w", label, err)
	}
	z.mu.Lock()
	short, _, ferr := z.begin(OpOpen, name)
	o, ok := z.folders[folder][name]
	var data []byte
	if ok {
		data = o.data // objects are never written in place
	}
	z.mu.Unlock()
	switch {
	case ferr != nil:
		return nil, fmt.Errorf("open %s: %w", label, ferr)
	case !ok:
		return nil, fmt.Errorf("open %s: %w", label, storage.ErrNotExist)
	}
	var r io.Reader = bytes.NewReader(data)
	if short != nil && short.ShortRead < int64(len(data)) {
		rerr := short.ReadErr
		if rerr == nil {
			rerr = storage.Transient(fmt.Errorf("read %s: %w", label, io.ErrUnexpectedEOF))
		}
		r = io.MultiReader(bytes.NewReader(data[:short.ShortRead]), errReader{rerr})
	}
	return io.NopCloser(storage.ContextReader(ctx, r)), nil
}

func sortObjects(objs []storage.Object) {
	slices.SortFunc(objs, func(a, b storage.Object) int { return strings.Compare(a.Name, b.Name) })
}

// errReader returns err from every Read.
type errReader struct{ err error }

func (e errReader) Read([]byte) (int, error) { return 0, e.err }

// maxClash bounds the names Move tries when a name is taken.
const maxClash = 100

// Move moves obj from the top level into to, checking and moving in one
// step under the zone's lock: it is atomic.
func (z *Zone) Move(ctx context.Context, obj storage.Object, to storage.Folder) (string, error) {
	label := z.label(storage.Top, obj.Name)
	if err := check(ctx, storage.Top, obj.Name); err != nil {
		return "", fmt.Errorf("move %s: %w", label, err)
	}
	if to != storage.Processed && to != storage.Rejected {
		if err := storage.CheckFolder(to); err != nil {
			return "", fmt.Errorf("move %s: %w", label, err)
		}
		return "", fmt.Errorf("move %s: cannot move to folder %q", label, string(to))
	}
	z.mu.Lock()
	defer z.mu.Unlock()
	_, lost, ferr := z.begin(OpMove, obj.Name)
	if ferr != nil && !lost {
		return "", fmt.Errorf("move %s: %w", label, ferr)
	}
	o, ok := z.folders[storage.Top][obj.Name]
	if !ok {
		return "", fmt.Errorf("move %s: %w", label, storage.ErrNotExist)
	}
	now := storage.Object{Name: obj.Name, Size: int64(len(o.data)), ModTime: o.mod, ETag: o.etag}
	if !storage.SameVersion(obj, now) {
		return "", fmt.Errorf("move %s: %w", label, storage.ErrChanged)
	}
	at := z.now()
	for n := range maxClash {
		got := storage.ClashName(obj.Name, at, n)
		if _, taken := z.folders[to][got]; taken {
			continue
		}
		z.folders[to][got] = o
		delete(z.folders[storage.Top], obj.Name)
		if ferr != nil {
			return "", fmt.Errorf("move %s: %w", label, ferr)
		}
		return got, nil
	}
	return "", fmt.Errorf("move %s to %s: %d names taken", label, to, maxClash)
}

// Put reads r whole and then stores it, so a failed read or a cancelled
// ctx leaves any previous object as it was.
func (z *Zone) Put(ctx context.Context, folder storage.Folder, name string, r io.Reader) error {
	label := z.label(folder, name)
	if err := check(ctx, folder, name); err != nil {
		return fmt.Errorf("put %s: %w", label, err)
	}
	z.mu.Lock()
	_, lost, ferr := z.begin(OpPut, name)
	z.mu.Unlock()
	if ferr != nil && !lost {
		return fmt.Errorf("put %s: %w", label, ferr)
	}
	data, err := io.ReadAll(storage.ContextReader(ctx, r))
	if err != nil {
		return fmt.Errorf("put %s: %w", label, err)
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("put %s: %w", label, err)
	}
	z.mu.Lock()
	z.folders[folder][name] = z.newObject(data, z.now())
	z.mu.Unlock()
	if ferr != nil {
		return fmt.Errorf("put %s: %w", label, ferr)
	}
	return nil
}

// Delete removes name from folder.
func (z *Zone) Delete(ctx context.Context, folder storage.Folder, name string) error {
	label := z.label(folder, name)
	if err := check(ctx, folder, name); err != nil {
		return fmt.Errorf("delete %s: %w", label, err)
	}
	z.mu.Lock()
	defer z.mu.Unlock()
	_, lost, ferr := z.begin(OpDelete, name)
	if ferr != nil && !lost {
		return fmt.Errorf("delete %s: %w", label, ferr)
	}
	if _, ok := z.folders[folder][name]; !ok {
		return fmt.Errorf("delete %s: %w", label, storage.ErrNotExist)
	}
	delete(z.folders[folder], name)
	if ferr != nil {
		return fmt.Errorf("delete %s: %w", label, ferr)
	}
	return nil
}

var _ storage.Zone = (*Zone)(nil)
