package dev.egressguard.client.fetch;

import dev.egressguard.core.net.Hostnames;
import dev.egressguard.core.net.IpAddress;
import dev.egressguard.core.net.IpLiterals;
import dev.egressguard.core.net.TargetUrl;
import java.util.Optional;
import java.util.regex.Pattern;
import okhttp3.HttpUrl;

/**
 * The URL of one hop of a guarded fetch, read twice and required to agree: core's
 * {@link TargetUrl} (the browser's host parser: {@code http://0x7f000001/} is 127.0.0.1) decides
 * the host the guard judges, and OkHttp's {@link HttpUrl} is built from that canonical form, so
 * that the request goes to exactly the host that was judged.
 */
final class HopTarget {
    private static final Pattern SCHEME = Pattern.compile("^[A-Za-z][A-Za-z0-9+.\\-]*:");

    private final TargetUrl url;
    private final HttpUrl httpUrl;

    private HopTarget(TargetUrl url, HttpUrl httpUrl) {
        this.url = url;
        this.httpUrl = httpUrl;
    }

    /**
     * An absolute http or https URL.
     *
     * @throws InvalidFetchUrlException {@code Invalid URL: must be http or https}
     */
    static HopTarget parse(String text, int upstreamRequests) {
        Optional<TargetUrl> parsed = TargetUrl.parse(text).url();
        if (parsed.isEmpty() || !(parsed.get().scheme().equals("http") || parsed.get().scheme().equals("https"))) {
            throw new InvalidFetchUrlException(InvalidFetchUrlException.NOT_HTTP, upstreamRequests);
        }
        TargetUrl url = parsed.get();
        HttpUrl httpUrl = HttpUrl.parse(url.toString());
        if (httpUrl == null || !sameHost(url.host(), httpUrl.host()) || httpUrl.port() != url.port()
                || !httpUrl.scheme().equals(url.scheme())) {
            throw new InvalidFetchUrlException(InvalidFetchUrlException.NOT_HTTP, upstreamRequests);
        }
        return new HopTarget(url, httpUrl);
    }

    /**
     * The target of a {@code Location} value, read against this URL as a browser reads it: an
     * absolute URL, a scheme-relative {@code //host/…} (backslashes count as slashes), or a path,
     * query or fragment on this origin.
     *
     * @throws InvalidFetchUrlException the location is no http or https URL
     */
    HopTarget resolve(String location, int upstreamRequests) {
        String ref = TargetUrl.stripControlsAndSpaces(location);
        if (SCHEME.matcher(ref).find()) {
            int colon = ref.indexOf(':');
            String scheme = ref.substring(0, colon);
            String rest = ref.substring(colon + 1);
            boolean sameSchemeRelative = scheme.equalsIgnoreCase(url.scheme())
                    && !(rest.startsWith("/") || rest.startsWith("\\"));
            if (!sameSchemeRelative) {
                return parse(ref, upstreamRequests);
            }
            ref = rest; // "http:next" against an http base is a relative reference (WHATWG)
        }
        if (ref.length() >= 2 && isSlash(ref.charAt(0)) && isSlash(ref.charAt(1))) {
            return parse(url.scheme() + ":" + ref, upstreamRequests);
        }
        HttpUrl resolved = httpUrl.resolve(ref);
        if (resolved == null || !resolved.scheme().equals(httpUrl.scheme()) || !resolved.host().equals(httpUrl.host())
                || resolved.port() != httpUrl.port()) {
            throw new InvalidFetchUrlException(InvalidFetchUrlException.NOT_HTTP, upstreamRequests);
        }
        HopTarget next = parse(resolved.toString(), upstreamRequests);
        if (!next.sameOrigin(this)) {
            throw new InvalidFetchUrlException(InvalidFetchUrlException.NOT_HTTP, upstreamRequests);
        }
        return next;
    }

    private static boolean isSlash(char c) {
        return c == '/' || c == '\\';
    }

    /** Leading and trailing C0 controls and spaces removed, tabs and newlines dropped (WHATWG). */
    /**
     * The host OkHttp will use is the one the guard judged. OkHttp writes an IPv4-mapped IPv6
     * literal as its IPv4 address, which the guard (decoding embedded IPv4) judges the same way.
     */
    private static boolean sameHost(String judged, String sent) {
        Optional<IpAddress> a = IpLiterals.tryParse(Hostnames.normalize(judged)).map(x -> x.unmapIpv4().orElse(x));
        Optional<IpAddress> b = IpLiterals.tryParse(Hostnames.normalize(sent)).map(x -> x.unmapIpv4().orElse(x));
        if (a.isPresent() || b.isPresent()) {
            return a.equals(b);
        }
        return Hostnames.normalize(judged).equals(Hostnames.normalize(sent));
    }

    /** The host as the guard judges it (ASCII, IPv6 without brackets). */
    String host() {
        return url.host();
    }

    int port() {
        return url.port();
    }

    boolean isHttps() {
        return url.scheme().equals("https");
    }

    boolean hasUserInfo() {
        return url.hasUserInfo();
    }

    /** Scheme, host and port, as browsers compare origins. */
    boolean sameOrigin(HopTarget other) {
        return url.scheme().equals(other.url.scheme()) && Hostnames.normalize(url.host()).equals(Hostnames.normalize(other.url.host()))
                && url.port() == other.url.port();
    }

    /** {@code scheme://host:port}: what messages show (never a path or query). */
    String origin() {
        String h = Hostnames.bracketIpv6(url.host());
        return url.scheme() + "://" + h + ":" + url.port();
    }

    HttpUrl httpUrl() {
        return httpUrl;
    }

    /** The full URL that is requested (no credentials, no fragment). */
    @Override
    public String toString() {
        return httpUrl.toString();
    }
}
