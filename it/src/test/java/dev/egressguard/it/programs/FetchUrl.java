package dev.egressguard.it.programs;

import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.URL;
import java.nio.charset.StandardCharsets;

/**
 * An ordinary program that knows nothing about egressguard: it fetches each URL given with
 * {@code HttpURLConnection} and prints the status and body. The tests run it in child JVMs.
 */
public final class FetchUrl {
    private FetchUrl() {}

    public static void main(String[] args) throws Exception {
        System.out.println("main ran");
        for (String u : args) {
            HttpURLConnection c = (HttpURLConnection) new URL(u).openConnection();
            c.setConnectTimeout(5000);
            c.setReadTimeout(5000);
            int status = c.getResponseCode();
            InputStream in = status >= 400 ? c.getErrorStream() : c.getInputStream();
            String body = in == null ? "" : new String(in.readAllBytes(), StandardCharsets.UTF_8);
            System.out.println(status + " " + body.strip());
        }
    }
}
