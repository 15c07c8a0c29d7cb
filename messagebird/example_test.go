package messagebird_test

import (
	"context"
	"errors"
	"fmt"

	"github.com/phoneverify/verify"
	"github.com/phoneverify/verify/messagebird"
	"github.com/phoneverify/verify/messagebird/mbtest"
)

// Example verifies a number through a Verifier, with the emulator standing
// in for MessageBird.
func Example() {
	s := mbtest.NewServer(mbtest.WithCode("123456"))
	defer s.Close()
	p, err := messagebird.New(mbtest.AccessKey, messagebird.WithEndpoint(s.URL))
	if err != nil {
		fmt.Println(err)
		return
	}
	defer p.CloseIdleConnections()
	v, err := verify.New(p, verify.WithOriginator("MyApp"))
	if err != nil {
		fmt.Println(err)
		return
	}
	ctx := context.Background()
	ver, err := v.Start(ctx, "+31 6 12345678")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(ver.Status, ver.Channel, ver.Phone, ver.ExpiresAt.Sub(ver.CreatedAt))
	fmt.Println(s.Messages()[0].Text)

	_, err = v.Check(ctx, ver.ID, "654321")
	fmt.Println(errors.Is(err, verify.ErrInvalidCode))

	ver, err = v.Check(ctx, ver.ID, "123 456")
	fmt.Println(ver.Verified(), ver.Phone, err)
	// Output:
	// pending voice +31612345678 10m0s
	// Hallo. Je verificatiecode is 123456. Nogmaals: 123456. Deel deze code met niemand.
	// true
	// true +31612345678 <nil>
}

// Example_errors reads MessageBird's detail from an error.
func Example_errors() {
	s := mbtest.NewServer(mbtest.WithAccessKey("live_another_key"))
	defer s.Close()
	p, _ := messagebird.New(mbtest.AccessKey, messagebird.WithEndpoint(s.URL))
	defer p.CloseIdleConnections()
	v, _ := verify.New(p)

	_, err := v.Start(context.Background(), "+31612345678")
	fmt.Println(errors.Is(err, verify.ErrUnavailable))
	var pe *verify.ProviderError
	if errors.As(err, &pe) {
		fmt.Println(pe.HTTPStatus, pe.Code, pe.Parameter)
	}
	fmt.Println(err)
	// Output:
	// true
	// 401 2 access_key
	// verify: messagebird: provider unavailable: the access key was refused (HTTP 401, code 2, "Request not allowed (incorrect access_key)", parameter access_key)
}

// ExampleSender calls a number through the emulator, and reads back what
// was sent.
func ExampleSender() {
	s := mbtest.NewServer()
	defer s.Close()
	snd, err := messagebird.NewSender(mbtest.AccessKey, messagebird.WithEndpoint(s.URL))
	if err != nil {
		fmt.Println(err)
		return
	}
	defer snd.CloseIdleConnections()
	err = snd.Send(context.Background(), verify.Message{
		Phone: "+31612345678", Channel: verify.Voice, Language: "nl-nl",
		Text: "Je code is: 1, 2, 3, 4, 5, 6. Nog een keer: 1, 2, 3, 4, 5, 6.",
	})
	fmt.Println(err)
	m := s.Sent()[0]
	fmt.Println(m.Channel, m.Recipients, m.Language, m.Repeat, m.IfMachine)
	fmt.Println(s.LastText("+31612345678"))
	// Output:
	// <nil>
	// voice [31612345678] nl-nl 1 hangup
	// Je code is: 1, 2, 3, 4, 5, 6. Nog een keer: 1, 2, 3, 4, 5, 6. true
}
