module github.com/phoneverify/verify

go 1.26.10

require (
	github.com/messagebird/go-rest-api/v9 v9.1.1
	github.com/nyaruka/phonenumbers v1.8.1
	github.com/stretchr/testify v1.12.1
	golang.org/x/text v0.44.0
)

require (
	go.yaml.in/yaml/v3 v3.0.5 // indirect
	google.golang.org/protobuf v1.36.11 // indirect
)
