// Command sigv4verify is the tests' stand-in for Amazon Managed Prometheus:
// an HTTP server that accepts a request only if its AWS Signature Version 4
// is valid, checked by signing the same request again with the AWS SDK for
// Go v2's own signer (aws/signer/v4) and comparing.
//
//	sigv4verify -access-key AK -secret-key SK [-session-token T] -region R [-service aps]
//
// Prints "listening 127.0.0.1:PORT" on stdout. Answers 204 to a correctly
// signed request, 403 with the reason otherwise; GET /stats answers
// {"verified":N,"rejected":M,"reasons":[...]}.
package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
)

var authRe = regexp.MustCompile(`^AWS4-HMAC-SHA256 Credential=([^/]+)/(\d{8})/([^/]+)/([^/]+)/aws4_request, SignedHeaders=([a-z0-9;-]+), Signature=([0-9a-f]{64})$`)

func main() {
	accessKey := flag.String("access-key", "", "")
	secretKey := flag.String("secret-key", "", "")
	sessionToken := flag.String("session-token", "", "")
	region := flag.String("region", "", "")
	service := flag.String("service", "aps", "")
	flag.Parse()
	creds := aws.Credentials{AccessKeyID: *accessKey, SecretAccessKey: *secretKey, SessionToken: *sessionToken}

	var mu sync.Mutex
	verified, rejected := 0, 0
	reasons := []string{}
	http.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodGet && r.URL.Path == "/stats" {
			mu.Lock()
			defer mu.Unlock()
			json.NewEncoder(w).Encode(map[string]any{"verified": verified, "rejected": rejected, "reasons": reasons})
			return
		}
		body, _ := io.ReadAll(r.Body)
		err := verify(r, body, creds, *region, *service)
		mu.Lock()
		defer mu.Unlock()
		if err != nil {
			rejected++
			reasons = append(reasons, err.Error())
			http.Error(w, err.Error(), http.StatusForbidden)
			return
		}
		verified++
		w.WriteHeader(http.StatusNoContent)
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic(err)
	}
	fmt.Printf("listening %s\n", ln.Addr())
	http.Serve(ln, nil)
}

func verify(r *http.Request, body []byte, creds aws.Credentials, region, service string) error {
	m := authRe.FindStringSubmatch(r.Header.Get("Authorization"))
	if m == nil {
		return fmt.Errorf("no AWS4-HMAC-SHA256 authorization")
	}
	if m[1] != creds.AccessKeyID || m[3] != region || m[4] != service {
		return fmt.Errorf("credential scope %s/%s/%s does not match", m[1], m[3], m[4])
	}
	at, err := time.Parse("20060102T150405Z", r.Header.Get("X-Amz-Date"))
	if err != nil {
		return fmt.Errorf("bad X-Amz-Date")
	}
	if d := time.Since(at); d > 5*time.Minute || d < -5*time.Minute {
		return fmt.Errorf("request time too far from now")
	}
	// The same request with exactly the headers the client signed, signed again by the SDK.
	again, _ := http.NewRequest(r.Method, "http://"+r.Host+r.URL.RequestURI(), nil)
	again.Host = r.Host
	for _, h := range strings.Split(m[5], ";") {
		if h == "host" {
			continue
		}
		for _, v := range r.Header.Values(h) {
			again.Header.Add(h, v)
		}
	}
	sum := sha256.Sum256(body)
	if err := v4.NewSigner().SignHTTP(context.Background(), creds, again, hex.EncodeToString(sum[:]), service, region, at); err != nil {
		return err
	}
	want := authRe.FindStringSubmatch(again.Header.Get("Authorization"))
	if want == nil || want[5] != m[5] || want[6] != m[6] {
		return fmt.Errorf("signature mismatch (signed headers %s)", m[5])
	}
	return nil
}
