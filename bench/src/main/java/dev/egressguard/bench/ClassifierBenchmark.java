package dev.egressguard.bench;

import dev.egressguard.core.classify.AddressClassifier;
import dev.egressguard.core.classify.Classification;
import dev.egressguard.core.classify.EmbeddedIpv4Mode;
import dev.egressguard.core.net.IpAddress;
import dev.egressguard.core.net.IpLiterals;
import dev.egressguard.core.policy.Decision;
import dev.egressguard.core.policy.HostCheck;
import dev.egressguard.core.policy.Policy;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What the proxy pays per destination: classifying one resolved address (IPv4 as the resolver hands
 * it over, IPv6, an embedded form in decode mode) and the host rules for one hostname. Public
 * addresses are the worst case for the table scan: they are compared against every row.
 *
 * <pre>java -jar bench/target/benchmarks.jar ClassifierBenchmark -prof gc</pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class ClassifierBenchmark {
    private final AddressClassifier blockPrefix = AddressClassifier.defaults();
    private final AddressClassifier decode = AddressClassifier.of(EmbeddedIpv4Mode.DECODE, List.of());
    private final Policy policy = Policy.defaults();

    private InetAddress publicV4;
    private InetAddress loopbackV4;
    private IpAddress publicV6;
    private IpAddress nat64Metadata;
    private List<IpAddress> answers;
    private String hostname;

    @Setup
    public void setUp() throws UnknownHostException {
        // getByAddress never resolves: these are the typed answers a resolver returns.
        publicV4 = InetAddress.getByAddress(new byte[] {93, (byte) 184, (byte) 216, 34});
        loopbackV4 = InetAddress.getByAddress(new byte[] {127, 0, 0, 1});
        publicV6 = IpLiterals.parse("2606:2800:220:1:248:1893:25c8:1946");
        nat64Metadata = IpLiterals.parse("64:ff9b::a9fe:a9fe");
        answers = List.of(IpLiterals.parse("93.184.216.34"), IpLiterals.parse("2606:2800:220:1:248:1893:25c8:1946"));
        hostname = "api.Example.COM.";
    }

    @Benchmark
    public Classification ipv4Public() {
        return blockPrefix.classify(publicV4);
    }

    @Benchmark
    public Classification ipv4Loopback() {
        return blockPrefix.classify(loopbackV4);
    }

    @Benchmark
    public Classification ipv6Public() {
        return blockPrefix.classify(publicV6);
    }

    @Benchmark
    public Classification ipv6Nat64DecodedMetadata() {
        return decode.classify(nat64Metadata);
    }

    @Benchmark
    public HostCheck hostnameRules() {
        return policy.checkHost(hostname, 443);
    }

    @Benchmark
    public Decision decideTwoAnswers() {
        return policy.decide("api.example.com", 443, answers);
    }
}
