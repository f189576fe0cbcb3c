module hstrace/tests/peers/go-tls

go 1.24
