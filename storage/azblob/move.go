package azblob

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/blob"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/bloberror"

	"landingd/storage"
)

// maxClash bounds the names Move tries when the target name is taken.
const maxClash = 100

// copyPoll is how often Move asks whether a pending copy has finished.
var copyPoll = 200 * time.Millisecond

// Move moves the top-level blob obj into folder to (storage.Processed or
// storage.Rejected) and returns its name there: obj.Name itself, or, when
// that is taken, with a UTC timestamp before the extension
// ("data.csv" becomes "data.20260107T060000Z.csv").
//
// It is copy, check, delete, and not atomic:
//  1. a server-side copy to the target with If-None-Match "*", so an
//     existing blob is never overwritten (a taken name moves on to the
//     next candidate), and with If-Match on obj's ETag (the version
//     listed and read);
//  2. a check that the copy's length, and its Content-MD5 when the source
//     has one, equal the source's (a source without an MD5 is checked by
//     length only; the copy is made by the service from the same ETag, so
//     nothing more is compared); a copy that fails the check is deleted;
//  3. deletion of the source with If-Match on that ETag.
//
// A failure after step 1 leaves two copies, and the error says so. A
// retry of the move (storage/retry) finds its own copy under the target
// name (see ownCopy) and only deletes the source, so it files the blob
// once. The next run finds the top-level one again; its content hash is
// already in the ingest ledger, so it is moved again without being
// ingested twice.
// A blob the district replaced after it was listed and before the copy
// is left at the top level with an error wrapping storage.ErrChanged. One
// replaced between the copy and the delete is filed as the version read,
// and the new version stays at the top level for the next run.
//
// A missing source is an error wrapping storage.ErrNotExist.
func (z *Zone) Move(ctx context.Context, obj storage.Object, to storage.Folder) (string, error) {
	name := obj.Name
	if err := z.checkPath(to, name); err != nil {
		return "", fmt.Errorf("azblob move %s: %w", z.s.name, err)
	}
	if to == storage.Top {
		return "", fmt.Errorf("azblob move %s: target must be processed or rejected, not the top level", z.object(storage.Top, name))
	}
	srcObj := z.object(storage.Top, name)
	if err := ctx.Err(); err != nil {
		return "", fmt.Errorf("azblob move %s: %w", srcObj, err)
	}
	src := z.s.c.NewBlobClient(z.folderPrefix(storage.Top) + name)
	props, err := src.GetProperties(ctx, nil)
	if err != nil {
		return "", z.s.fail(ctx, "move", srcObj, err)
	}
	etag := props.ETag
	var size int64
	if props.ContentLength != nil {
		size = *props.ContentLength
	}
	cur := storage.Object{Name: name, Size: size}
	if etag != nil {
		cur.ETag = string(*etag)
	}
	if props.LastModified != nil {
		cur.ModTime = *props.LastModified
	}
	if !storage.SameVersion(obj, cur) {
		return "", fmt.Errorf("azblob move %s: %w", srcObj, storage.ErrChanged)
	}

	now := time.Now()
	for n := range maxClash {
		target := storage.ClashName(name, now, n)
		dstObj := z.object(to, target)
		dst := z.s.c.NewBlobClient(z.folderPrefix(to) + target)
		resp, err := dst.StartCopyFromURL(ctx, src.URL(), &blob.StartCopyFromURLOptions{
			SourceModifiedAccessConditions: &blob.SourceModifiedAccessConditions{SourceIfMatch: etag},
			AccessConditions: &blob.AccessConditions{
				ModifiedAccessConditions: &blob.ModifiedAccessConditions{IfNoneMatch: new(azcore.ETagAny)},
			},
		})
		switch {
		case bloberror.HasCode(err, bloberror.SourceConditionNotMet):
			// The district replaced the blob after it was looked at: that
			// version was never read, so it must not be moved.
			return "", fmt.Errorf("azblob move %s: replaced while being moved, it stays at the top level: %w", srcObj, storage.ErrChanged)
		case targetTaken(err):
			mine, err := z.ownCopy(ctx, dst, dstObj, src, props, size)
			if err != nil {
				return "", err
			}
			if !mine {
				continue
			}
			// A retry of a move whose delete failed: the copy is made and
			// checked, so only the delete is left.
			z.s.log.Info("finishing an earlier attempt's move", "object", srcObj)
		case err != nil:
			return "", z.s.fail(ctx, "move", srcObj+" to "+dstObj, err)
		default:
			if err := z.awaitCopy(ctx, dst, resp.CopyStatus, dstObj); err != nil {
				return "", err
			}
			if err := z.checkCopy(ctx, dst, dstObj, size, props.ContentMD5); err != nil {
				return "", err
			}
		}
		_, err = src.Delete(ctx, &blob.DeleteOptions{AccessConditions: &blob.AccessConditions{
			ModifiedAccessConditions: &blob.ModifiedAccessConditions{IfMatch: etag},
		}})
		switch {
		case err == nil:
		case bloberror.HasCode(err, bloberror.BlobNotFound):
			z.s.log.Warn("moved blob was already gone from the top level", "object", srcObj)
		case bloberror.HasCode(err, bloberror.ConditionNotMet):
			z.s.log.Warn("blob was replaced during the move; the new version stays at the top level", "object", srcObj)
		default:
			return "", fmt.Errorf("%w (the copy %s is made; both copies now exist)", z.s.fail(ctx, "move", srcObj, err), target)
		}
		return target, nil
	}
	return "", fmt.Errorf("azblob move %s: %d names taken in %s", srcObj, maxClash, to)
}

// ownCopy reports whether the blob at dst, whose name was taken, is the
// copy an earlier attempt of this same move made before it failed to
// delete the source or to wait for the copy (a retry, see storage/retry;
// a copy from src still under way is waited for): a finished server-side
// copy from src's name, completed no earlier than the version being
// moved was last modified, with its length and, when the source has
// one, its Content-MD5. A blob that merely took the name (an earlier
// quarter's file of the same name was copied before this version
// existed) is not, and the move goes on to the next name.
func (z *Zone) ownCopy(ctx context.Context, dst *blob.Client, dstObj string, src *blob.Client, props blob.GetPropertiesResponse, size int64) (bool, error) {
	p, err := dst.GetProperties(ctx, nil)
	switch {
	case bloberror.HasCode(err, bloberror.BlobNotFound):
		return false, nil
	case err != nil:
		return false, z.s.fail(ctx, "move", dstObj, err)
	}
	if p.CopyStatus != nil && *p.CopyStatus == blob.CopyStatusTypePending && p.CopySource != nil && sameBlobPath(*p.CopySource, src.URL()) {
		// An earlier attempt's copy still under way (its wait failed, and
		// the move is retried): it is waited for here, as that attempt
		// would have, rather than made a second time under a clash name.
		if err := z.awaitCopy(ctx, dst, p.CopyStatus, dstObj); err != nil {
			return false, err
		}
		if p, err = dst.GetProperties(ctx, nil); err != nil {
			return false, z.s.fail(ctx, "move", dstObj, err)
		}
	}
	switch {
	case p.CopyStatus == nil || *p.CopyStatus != blob.CopyStatusTypeSuccess || p.CopySource == nil:
		return false, nil
	case !sameBlobPath(*p.CopySource, src.URL()):
		return false, nil
	case p.ContentLength == nil || *p.ContentLength != size:
		return false, nil
	case len(props.ContentMD5) > 0 && !bytes.Equal(p.ContentMD5, props.ContentMD5):
		return false, nil
	case props.LastModified == nil || p.CopyCompletionTime == nil || p.CopyCompletionTime.Before(*props.LastModified):
		return false, nil
	}
	return true, nil
}

// sameBlobPath reports whether two blob URLs name the same blob of the
// same account, ignoring their hosts and queries (a SAS).
func sameBlobPath(a, b string) bool {
	ua, err := url.Parse(a)
	if err != nil {
		return false
	}
	ub, err := url.Parse(b)
	return err == nil && ua.Path == ub.Path
}

// targetTaken reports whether a copy failed because its target exists.
func targetTaken(err error) bool {
	if bloberror.HasCode(err, bloberror.BlobAlreadyExists, bloberror.TargetConditionNotMet) {
		return true
	}
	var re *azcore.ResponseError
	return errors.As(err, &re) && re.StatusCode == http.StatusPreconditionFailed &&
		re.ErrorCode != string(bloberror.SourceConditionNotMet)
}

// awaitCopy waits until a started copy is no longer pending. If ctx ends
// first, it aborts the copy.
func (z *Zone) awaitCopy(ctx context.Context, dst *blob.Client, status *blob.CopyStatusType, dstObj string) error {
	for {
		switch {
		case status == nil || *status == blob.CopyStatusTypeSuccess:
			return nil
		case *status != blob.CopyStatusTypePending:
			return fmt.Errorf("azblob move %s: server-side copy ended with status %q", dstObj, *status)
		}
		t := time.NewTimer(copyPoll)
		select {
		case <-ctx.Done():
			t.Stop()
			z.abortCopy(dst, dstObj)
			return fmt.Errorf("azblob move %s: %w", dstObj, ctx.Err())
		case <-t.C:
		}
		p, err := dst.GetProperties(ctx, nil)
		if err != nil {
			return z.s.fail(ctx, "move", dstObj, err)
		}
		status = p.CopyStatus
	}
}

func (z *Zone) abortCopy(dst *blob.Client, dstObj string) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	p, err := dst.GetProperties(ctx, nil)
	if err == nil && p.CopyID != nil {
		_, err = dst.AbortCopyFromURL(ctx, *p.CopyID, nil)
	}
	if err == nil {
		_, err = dst.Delete(ctx, nil)
	}
	if err != nil {
		z.s.log.Warn("could not abort a cancelled copy", "object", dstObj, "err", z.s.fail(ctx, "abort copy", dstObj, err))
	}
}

// checkCopy compares the finished copy with what the source was.
func (z *Zone) checkCopy(ctx context.Context, dst *blob.Client, dstObj string, size int64, md5 []byte) error {
	p, err := dst.GetProperties(ctx, nil)
	if err != nil {
		return z.s.fail(ctx, "move", dstObj, err)
	}
	var got int64
	if p.ContentLength != nil {
		got = *p.ContentLength
	}
	switch {
	case got != size:
		err = fmt.Errorf("azblob move %s: the copy has %d bytes, the source %d; the copy is removed and the source kept", dstObj, got, size)
	case len(md5) > 0 && !bytes.Equal(p.ContentMD5, md5):
		err = fmt.Errorf("azblob move %s: the copy's Content-MD5 differs from the source's; the copy is removed and the source kept", dstObj)
	default:
		return nil
	}
	if _, derr := dst.Delete(ctx, &blob.DeleteOptions{AccessConditions: &blob.AccessConditions{
		ModifiedAccessConditions: &blob.ModifiedAccessConditions{IfMatch: p.ETag},
	}}); derr != nil {
		z.s.log.Warn("could not remove a bad copy", "object", dstObj, "err", z.s.fail(ctx, "delete", dstObj, derr))
	}
	return err
}
