package storagetest

import (
	"fmt"
	"io"
	"net"
	"strconv"
	"sync"
)

// Proxy is a loopback TCP relay in front of an Azurite service. Drop
// closes every connection through it at once, the way a network fault
// would, while the service itself keeps running.
type Proxy struct {
	ServiceURL string // http://127.0.0.1:PROXYPORT/devstoreaccount1

	target string
	ln     net.Listener
	mu     sync.Mutex
	conns  map[net.Conn]struct{}
	wg     sync.WaitGroup
}

// Proxy returns the relay in front of a, starting it on first use. It is
// closed when the test that started a ends.
func (a *Azurite) Proxy() *Proxy {
	a.proxyOnce.Do(func() {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			a.t.Fatalf("proxy: %v", err)
		}
		p := &Proxy{
			target: net.JoinHostPort("127.0.0.1", strconv.Itoa(a.Port)),
			ln:     ln,
			conns:  map[net.Conn]struct{}{},
		}
		p.ServiceURL = fmt.Sprintf("http://%s/%s", ln.Addr(), AzuriteAccount)
		p.wg.Go(p.accept)
		a.t.Cleanup(p.close)
		a.proxy = p
	})
	return a.proxy
}

// Drop closes every open connection through the proxy, both ways. New
// connections are relayed as before.
func (p *Proxy) Drop() {
	p.mu.Lock()
	defer p.mu.Unlock()
	for c := range p.conns {
		c.Close()
	}
	clear(p.conns)
}

func (p *Proxy) accept() {
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return
		}
		p.wg.Go(func() { p.relay(c) })
	}
}

func (p *Proxy) relay(c net.Conn) {
	s, err := net.Dial("tcp", p.target)
	if err != nil {
		c.Close()
		return
	}
	p.mu.Lock()
	p.conns[c], p.conns[s] = struct{}{}, struct{}{}
	p.mu.Unlock()
	var wg sync.WaitGroup
	pipe := func(dst, src net.Conn) {
		_, _ = io.Copy(dst, src)
		// Either side ending ends both: a half-open relay would hide the fault.
		dst.Close()
		src.Close()
	}
	wg.Go(func() { pipe(s, c) })
	wg.Go(func() { pipe(c, s) })
	wg.Wait()
	p.mu.Lock()
	delete(p.conns, c)
	delete(p.conns, s)
	p.mu.Unlock()
}

func (p *Proxy) close() {
	p.ln.Close()
	p.Drop()
	p.wg.Wait()
}
