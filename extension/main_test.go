package extension

import (
	"flag"
	"os"
	"testing"
)

// TestMain lets up to 8 parallel tests run at once unless -parallel is given.
// The parallel tests here (impaired links) wait on timers and round trips, not
// on the CPU, so the default of GOMAXPROCS (2 on the build machine) would only
// serialise their waiting.
func TestMain(m *testing.M) {
	flag.Parse()
	set := false
	flag.Visit(func(f *flag.Flag) { set = set || f.Name == "test.parallel" })
	if !set {
		if err := flag.Set("test.parallel", "8"); err != nil {
			panic(err)
		}
	}
	os.Exit(m.Run())
}
